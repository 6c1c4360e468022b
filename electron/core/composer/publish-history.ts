import type { PublishHistoryEntry } from '../../api.js';
import type * as Database from '../store/sqlite-types.js';

export const MAX_HISTORY = 200;
/** history keeps what was published, clipped: it is a reminder, not a second message log */
const HISTORY_DATA_CHARS = 4096;
/** trimmed once every this many entries: the table holds at most MAX_HISTORY + TRIM_EVERY rows */
const TRIM_EVERY = 50;

/**
 * The composer's publish history, newest first, one row per entry (store migration 8). Recording one is an
 * append (and, every TRIM_EVERY entries, one ranged delete of what fell past the newest MAX_HISTORY): rewriting
 * the whole list per publish capped messages.publish near 100–250 msg/s.
 */
export class PublishHistory {
  private readonly insertStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly trimStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.insertStmt = db.prepare('INSERT INTO publish_history (entry) VALUES (?)');
    this.listStmt = db.prepare('SELECT entry FROM publish_history ORDER BY seq DESC LIMIT ?');
    this.trimStmt = db.prepare(
      'DELETE FROM publish_history WHERE seq <= (SELECT seq FROM publish_history ORDER BY seq DESC LIMIT 1 OFFSET ?)',
    );
  }

  /** The newest entries first, at most MAX_HISTORY; a damaged row is skipped, never a crash. */
  list(limit: number): PublishHistoryEntry[] {
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
    const seq = Number(this.insertStmt.run(JSON.stringify(clipped)).lastInsertRowid);
    if (seq % TRIM_EVERY === 0) this.trimStmt.run(MAX_HISTORY);
  }
}
