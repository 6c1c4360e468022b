import type { PublishHistoryEntry } from '../../api.js';
import type { Logger } from '../platform.js';
import type * as Database from '../store/sqlite-types.js';

export const MAX_HISTORY = 200;
/** history keeps what was published, clipped: it is a reminder, not a second message log */
const HISTORY_DATA_CHARS = 4096;
/** entries recorded within this long are written in one transaction */
const FLUSH_MS = 100;

/**
 * The composer's publish history, newest first, one row per entry (store migration 8). Rewriting the whole list
 * per publish (~0.9 ms a call) capped messages.publish near 100–250 msg/s, and one commit per entry still cost
 * ~0.2 ms here: entries are held for FLUSH_MS and appended in one transaction, with one ranged delete of what
 * fell past the newest MAX_HISTORY. A read writes what is held first; a crash loses at most FLUSH_MS of history
 * (never a message: the history is a reminder, the outbox holds what was accepted).
 */
export class PublishHistory {
  private readonly listStmt: Database.Statement;
  private readonly flushTx: Database.Transaction<(entries: string[]) => void>;
  private pending: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    db: Database.Database,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {
    const insert = db.prepare('INSERT INTO publish_history (entry) VALUES (?)');
    const trim = db.prepare(
      'DELETE FROM publish_history WHERE seq <= (SELECT seq FROM publish_history ORDER BY seq DESC LIMIT 1 OFFSET ?)',
    );
    this.listStmt = db.prepare('SELECT entry FROM publish_history ORDER BY seq DESC LIMIT ?');
    this.flushTx = db.transaction((entries: string[]) => {
      for (const entry of entries) insert.run(entry);
      trim.run(MAX_HISTORY);
    });
  }

  /** The newest entries first, at most MAX_HISTORY; a damaged row is skipped, never a crash. */
  list(limit: number): PublishHistoryEntry[] {
    this.flush();
    const n = Math.max(0, Math.min(MAX_HISTORY, Math.trunc(limit) || 0));
    if (n === 0) return [];
    const entries: PublishHistoryEntry[] = [];
    for (const row of this.listStmt.all(n) as { entry: string }[]) {
      try {
        entries.push(JSON.parse(row.entry) as PublishHistoryEntry);
      } catch {
        // a damaged row: left out
      }
    }
    return entries;
  }

  record(entry: PublishHistoryEntry): void {
    const clipped =
      entry.data.length > HISTORY_DATA_CHARS ? { ...entry, data: `${entry.data.slice(0, HISTORY_DATA_CHARS)}…` } : entry;
    this.pending.push(JSON.stringify(clipped));
    // held entries past the bound would be trimmed anyway: the buffer stays bounded under any rate
    if (this.pending.length > MAX_HISTORY) this.pending.splice(0, this.pending.length - MAX_HISTORY);
    this.timer ??= setTimeout(() => {
      try {
        this.flush();
      } catch (err) {
        this.log?.warn(`publish history not saved: ${(err as Error).message}`);
      }
    }, FLUSH_MS);
  }

  /** Writes what is held now (a read, the core's close). Throws when the database refuses (disk full). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    this.flushTx(entries);
  }
}
