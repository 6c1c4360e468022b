import type { DeadLetterDTO } from '../../api.js';
import type * as Database from './sqlite-types.js';

/** A queued message set aside because the broker kept closing the connection over it; never deleted unasked. */
export type DeadLetter = DeadLetterDTO;

/** The outbox's running totals, kept in step by every move in or out of the dead letters. */
export interface HeldTotals {
  /** a profile's totals changed outside enqueue/remove: `dead` rows set aside (+) or taken back (−), `bytes` freed */
  adjust(profileId: string, change: { count?: number; bytes?: number; dead?: number }): void;
}

interface Row {
  id: number;
  profile_id: string;
  topic: string;
  qos: number;
  retain: number;
  size: number;
  reason: string | null;
  created_at: number;
  dead_at: number;
}

const COLUMNS = 'id, profile_id, topic, qos, retain, size, reason, created_at, dead_at';

/**
 * The dead-letter list: outbox rows with a dead_at. They stay in the outbox table (and count against its
 * bounds, so setting one aside or retrying it can never fail for room) but are no longer delivered. Retry
 * moves one back to the end of the queue; discard is the only way one is deleted (besides removing its profile).
 */
export class DeadLetters {
  private readonly moveStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly listAllStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly requeueStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly retryTx: Database.Transaction<(id: number) => { id: number; profileId: string } | null>;

  constructor(
    db: Database.Database,
    private readonly totals: HeldTotals,
  ) {
    this.moveStmt = db.prepare(`UPDATE outbox SET dead_at = ?, reason = ? WHERE id = ? AND dead_at IS NULL RETURNING ${COLUMNS}`);
    this.listStmt = db.prepare(
      `SELECT ${COLUMNS} FROM outbox WHERE profile_id = ? AND dead_at IS NOT NULL ORDER BY id ASC LIMIT ?`,
    );
    this.listAllStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE dead_at IS NOT NULL ORDER BY id ASC LIMIT ?`);
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM outbox WHERE id = ? AND dead_at IS NOT NULL`);
    // a new row (a new, higher id) is the end of the queue; created_at stays: when it was accepted
    this.requeueStmt = db.prepare(
      `INSERT INTO outbox (profile_id, topic, qos, retain, created_at, size, payload, props)
       SELECT profile_id, topic, qos, retain, created_at, size, payload, props FROM outbox WHERE id = ? AND dead_at IS NOT NULL`,
    );
    this.deleteStmt = db.prepare(`DELETE FROM outbox WHERE id = ? AND dead_at IS NOT NULL RETURNING ${COLUMNS}`);
    this.retryTx = db.transaction((id: number) => {
      const row = this.getStmt.get(id) as Row | undefined;
      if (!row) return null;
      const info = this.requeueStmt.run(id);
      this.deleteStmt.get(id);
      return { id: Number(info.lastInsertRowid), profileId: row.profile_id };
    });
  }

  /** Sets a queued message aside with the reason. Null when it is not queued (delivered, or already aside). */
  move(id: number, reason: string, at = Date.now()): DeadLetter | null {
    const row = this.moveStmt.get(at, reason, id) as Row | undefined;
    if (!row) return null;
    this.totals.adjust(row.profile_id, { dead: 1 });
    return toDeadLetter(row);
  }

  /** The dead letters of a profile (every profile when none is given), oldest first. */
  list(profileId?: string, limit = 1000): DeadLetter[] {
    const n = Math.max(1, Math.min(10_000, Math.trunc(limit) || 1));
    const rows = (profileId === undefined ? this.listAllStmt.all(n) : this.listStmt.all(profileId, n)) as Row[];
    return rows.map(toDeadLetter);
  }

  get(id: number): DeadLetter | undefined {
    const row = this.getStmt.get(id) as Row | undefined;
    return row ? toDeadLetter(row) : undefined;
  }

  /** Puts a dead letter back at the end of its profile's queue, in one transaction. Null when there is no such one. */
  retry(id: number): { id: number; profileId: string } | null {
    const moved = this.retryTx.immediate(id);
    if (moved) this.totals.adjust(moved.profileId, { dead: -1 });
    return moved;
  }

  /** Deletes a dead letter for good: the user's explicit choice. Null when there is no such one. */
  discard(id: number): DeadLetter | null {
    const row = this.deleteStmt.get(id) as Row | undefined;
    if (!row) return null;
    this.totals.adjust(row.profile_id, { count: -1, bytes: -row.size, dead: -1 });
    return toDeadLetter(row);
  }
}

function toDeadLetter(r: Row): DeadLetter {
  return {
    id: r.id,
    profileId: r.profile_id,
    topic: r.topic,
    qos: r.qos === 2 ? 2 : 1,
    retain: r.retain === 1,
    size: r.size,
    reason: r.reason ?? '',
    queuedAt: r.created_at,
    deadAt: r.dead_at,
  };
}
