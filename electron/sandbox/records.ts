/**
 * Persisted records (what `write` stores), their reads, and the retention bound: at most
 * `maxRecordsPerResource` per resource (trimmed on write) and nothing older than `maxAgeDays`
 * (trimmed on start and every hour).
 */
import type { Db } from './db.js';

export interface StoredRecord {
  _id: string;
  data: unknown;
  ts: number;
  wts: number;
  ispublic: boolean;
}

export interface Retention {
  maxRecordsPerResource: number;
  maxAgeDays: number;
}

export const DEFAULT_RETENTION: Retention = { maxRecordsPerResource: 10_000, maxAgeDays: 30 };

export interface ReadQuery {
  limit: number;
  from?: number;
  to?: number;
}

interface RecordRow {
  id: number;
  data: string;
  ts: number;
  wts: number;
  ispublic: number;
}

export interface NewRecord {
  owner: string;
  channel: string;
  resource: string;
  data: unknown;
  ts: number;
  ispublic: boolean;
}

export class RecordStore {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly retention: Retention,
  ) {
    this.pruneByAge();
    this.timer = setInterval(() => this.pruneByAge(), 3_600_000);
    this.timer.unref();
  }

  write(record: NewRecord): StoredRecord {
    return this.writeMany([record])[0]!;
  }

  /** All or nothing: one transaction for a bulk write. */
  writeMany(records: NewRecord[]): StoredRecord[] {
    const insert = this.db.prepare(
      'INSERT INTO records (owner, channel, resource, data, ts, wts, ispublic) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const trim = this.db.prepare(
      `DELETE FROM records WHERE owner = ? AND channel = ? AND resource = ? AND id <= (
         SELECT id FROM records WHERE owner = ? AND channel = ? AND resource = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    return this.db.transaction(() =>
      records.map((r) => {
        const wts = Date.now();
        const data = JSON.stringify(r.data ?? null);
        const info = insert.run(r.owner, r.channel, r.resource, data, r.ts, wts, r.ispublic ? 1 : 0);
        const keep = this.retention.maxRecordsPerResource;
        trim.run(r.owner, r.channel, r.resource, r.owner, r.channel, r.resource, keep);
        return { _id: String(info.lastInsertRowid), data: r.data ?? null, ts: r.ts, wts, ispublic: r.ispublic };
      }),
    )();
  }

  /** The newest `limit` records in the window, oldest first. */
  read(owner: string, channel: string, resource: string, query: ReadQuery): StoredRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, data, ts, wts, ispublic FROM records
         WHERE owner = ? AND channel = ? AND resource = ? AND ts >= ? AND ts <= ?
         ORDER BY ts DESC, id DESC LIMIT ?`,
      )
      .all(owner, channel, resource, query.from ?? 0, query.to ?? Number.MAX_SAFE_INTEGER, query.limit) as RecordRow[];
    return rows.reverse().map(toRecord);
  }

  last(owner: string, channel: string, resource: string): StoredRecord | null {
    const row = this.db
      .prepare(
        'SELECT id, data, ts, wts, ispublic FROM records WHERE owner = ? AND channel = ? AND resource = ? ORDER BY id DESC LIMIT 1',
      )
      .get(owner, channel, resource) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }

  count(owner: string, channel: string, resource: string): number {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM records WHERE owner = ? AND channel = ? AND resource = ?')
      .get(owner, channel, resource) as { n: number };
    return row.n;
  }

  pruneByAge(now = Date.now()): number {
    const cutoff = now - this.retention.maxAgeDays * 86_400_000;
    return this.db.prepare('DELETE FROM records WHERE wts < ?').run(cutoff).changes;
  }

  close(): void {
    clearInterval(this.timer);
  }
}

function toRecord(row: RecordRow): StoredRecord {
  return { _id: String(row.id), data: JSON.parse(row.data) as unknown, ts: row.ts, wts: row.wts, ispublic: row.ispublic === 1 };
}
