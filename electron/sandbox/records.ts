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

// 50,000: the most one read returns (Beebotte's limit), so a History export of a full read is reachable on the sandbox too
export const DEFAULT_RETENTION: Retention = { maxRecordsPerResource: 50_000, maxAgeDays: 30 };

export interface ReadQuery {
  limit: number;
  from?: number;
  to?: number;
  /** `sample-rate`: one record in every N of the window (newest first), before `limit` */
  sampleRate?: number;
  /** `source`: raw records, or hourly / daily statistics of the numeric ones */
  source?: 'raw' | 'hour-stats' | 'day-stats';
}

/** One bucket of `hour-stats` / `day-stats`: `data` is the mean, so a reader that plots `data` plots the means. */
export interface StatsRecord {
  ts: number;
  data: number;
  count: number;
  min: number;
  max: number;
  sum: number;
}

const BUCKET_MS = { 'hour-stats': 3_600_000, 'day-stats': 86_400_000 } as const;

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
    return this.db.transaction(() => {
      const stored = records.map((r) => {
        const wts = Date.now();
        const data = JSON.stringify(r.data ?? null);
        const info = insert.run(r.owner, r.channel, r.resource, data, r.ts, wts, r.ispublic ? 1 : 0);
        return { _id: String(info.lastInsertRowid), data: r.data ?? null, ts: r.ts, wts, ispublic: r.ispublic };
      });
      // trimmed once per resource of the batch, not once per record: the trim sorts the resource's rows, so
      // per record a 1,500-record bulk write into a resource of 50,000 took longer than a client waits
      const keep = this.retention.maxRecordsPerResource;
      const touched = new Map(records.map((r) => [`${r.owner}\n${r.channel}\n${r.resource}`, r]));
      for (const r of touched.values()) trim.run(r.owner, r.channel, r.resource, r.owner, r.channel, r.resource, keep);
      return stored;
    })();
  }

  /** The newest `limit` records in the window (one in `sampleRate` of them), oldest first. */
  read(owner: string, channel: string, resource: string, query: ReadQuery): StoredRecord[] {
    const rows = this.db
      .prepare(
        `SELECT id, data, ts, wts, ispublic FROM (
           SELECT id, data, ts, wts, ispublic, ROW_NUMBER() OVER (ORDER BY ts DESC, id DESC) AS n FROM records
           WHERE owner = ? AND channel = ? AND resource = ? AND ts >= ? AND ts <= ?)
         WHERE (n - 1) % ? = 0 ORDER BY n LIMIT ?`,
      )
      .all(owner, channel, resource, ...window(query), query.sampleRate ?? 1, query.limit) as RecordRow[];
    return rows.reverse().map(toRecord);
  }

  /**
   * Hourly or daily statistics (UTC buckets) of the numeric values in the window: the newest `limit`
   * buckets, oldest first. Values that are not numbers (strings, objects) are not counted.
   */
  stats(owner: string, channel: string, resource: string, source: keyof typeof BUCKET_MS, query: ReadQuery): StatsRecord[] {
    const size = BUCKET_MS[source];
    const rows = this.db
      .prepare(
        `SELECT bucket AS ts, AVG(v) AS data, COUNT(*) AS count, MIN(v) AS min, MAX(v) AS max, SUM(v) AS sum FROM (
           SELECT ts - (ts % ?) AS bucket, CAST(data AS REAL) AS v FROM records
           WHERE owner = ? AND channel = ? AND resource = ? AND ts >= ? AND ts <= ? AND json_type(data) IN ('integer', 'real'))
         GROUP BY bucket ORDER BY bucket DESC LIMIT ?`,
      )
      .all(size, owner, channel, resource, ...window(query), query.limit) as unknown as StatsRecord[];
    return rows.reverse().map((r) => ({ ts: r.ts, data: r.data, count: r.count, min: r.min, max: r.max, sum: r.sum }));
  }

  get(owner: string, channel: string, resource: string, id: string): StoredRecord | null {
    const row = this.db
      .prepare('SELECT id, data, ts, wts, ispublic FROM records WHERE owner = ? AND channel = ? AND resource = ? AND id = ?')
      .get(owner, channel, resource, recordId(id)) as RecordRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Replaces a stored record's value (and its timestamp when given); false when there is no such record. */
  update(owner: string, channel: string, resource: string, id: string, data: unknown, ts?: number): boolean {
    const sql = `UPDATE records SET data = ?, ts = COALESCE(?, ts) WHERE owner = ? AND channel = ? AND resource = ? AND id = ?`;
    return this.db.prepare(sql).run(JSON.stringify(data ?? null), ts ?? null, owner, channel, resource, recordId(id)).changes > 0;
  }

  delete(owner: string, channel: string, resource: string, id: string): boolean {
    const sql = 'DELETE FROM records WHERE owner = ? AND channel = ? AND resource = ? AND id = ?';
    return this.db.prepare(sql).run(owner, channel, resource, recordId(id)).changes > 0;
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

function window(query: ReadQuery): [number, number] {
  return [query.from ?? 0, query.to ?? Number.MAX_SAFE_INTEGER];
}

/** Record ids are the row ids as strings; anything else matches no record. */
function recordId(id: string): number {
  return /^\d{1,15}$/.test(id) ? Number(id) : -1;
}
