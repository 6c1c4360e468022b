import { createRequire } from 'node:module';
import type * as Database from './sqlite-types.js';
import type { MessageProps, PayloadKind } from '../../api.js';
import { SPAN_IDS, SPAN_SQL, buildWhere, pageSize, spanOf, type LogQuery } from './log-query.js';

const MiB = 1024 * 1024;

/** How much log the store keeps. Over either bound, the oldest messages go first. */
export interface LogBudget {
  maxMessages: number;
  maxBytes: number;
  /** larger payloads are stored cut to this size and marked over_cap (their real size is kept) */
  payloadCapBytes: number;
}

export const DEFAULT_LOG_BUDGET: LogBudget = { maxMessages: 1_000_000, maxBytes: 512 * MiB, payloadCapBytes: 16 * MiB };

export interface NewMessage {
  profileId: string;
  topic: string;
  receivedAt: number;
  qos: 0 | 1 | 2;
  retain: boolean;
  payload: Buffer;
  kind: PayloadKind;
  own?: boolean;
  /** MQTT 5 properties it came with, if any */
  props?: MessageProps | undefined;
}

export interface StoredMessage {
  id: number;
  profileId: string;
  topic: string;
  receivedAt: number;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** the payload's real size, also when it was stored cut (overCap) */
  size: number;
  kind: PayloadKind;
  payload: Buffer;
  overCap: boolean;
  own: boolean;
  props?: MessageProps;
}

interface MessageRow {
  id: number;
  profile_id: string;
  topic: string;
  received_at: number;
  qos: 0 | 1 | 2;
  retain: number;
  size: number;
  kind: PayloadKind;
  over_cap: number;
  own: number;
  payload: Buffer;
  props: string | null;
}

const COLUMNS = 'id, profile_id, topic, received_at, qos, retain, size, kind, over_cap, own, payload, props';
const KINDS = new Set<string>(['json', 'text', 'binary']);

/**
 * The columns every write gives. The one list: the INSERT (the same on this thread and on the writer's) and each
 * column's place in it, handed to the row writer (store/writer-worker.cjs) in WRITER_SPEC.
 */
export const WRITTEN_COLUMNS = [
  'id',
  'profile_id',
  'topic',
  'received_at',
  'qos',
  'retain',
  'size',
  'stored_bytes',
  'kind',
  'over_cap',
  'own',
  'payload',
  'props',
  'topic_key',
] as const;
const INSERT_HEAD = `INSERT INTO messages (${WRITTEN_COLUMNS.join(', ')}) VALUES`;
export const INSERT_MESSAGE = `${INSERT_HEAD} (${WRITTEN_COLUMNS.map(() => '?').join(', ')})`;

const KIND_INDEX: Record<PayloadKind, number> = { json: 0, text: 1, binary: 2 };

/**
 * The lean row of a grouped INSERT, for consecutive rows of one profile without MQTT 5 properties (nearly every
 * row): the group binds its first id and its profile once, and each row only the values below. A bound value costs
 * a call into the SQLite binding and a conversion, as much as SQLite's own work on it: 14 a row took 7.0 µs a row
 * to write, these 6 take 6.0 (test/bench/README.md). Each column is SQL over the group's `$id` and `$profile`, the
 * row's place in the group `$r`, and its slots; `$bits` is RowBatch's flags with the kind's index from bit 5.
 */
const LEAN_SLOTS = ['topic', 'topic_key', 'received_at', 'bits', 'size', 'payload'] as const;
const LEAN_COLUMN: Record<(typeof WRITTEN_COLUMNS)[number], string> = {
  id: '$id + $r',
  profile_id: '$profile',
  topic: '$topic',
  received_at: '$received_at',
  qos: '$bits & 3',
  retain: '($bits >> 2) & 1',
  size: '$size',
  stored_bytes: 'length($payload)',
  kind: `CASE $bits >> 5 WHEN ${KIND_INDEX.json} THEN 'json' WHEN ${KIND_INDEX.text} THEN 'text' ELSE 'binary' END`,
  over_cap: '($bits >> 3) & 1',
  own: '($bits >> 4) & 1',
  payload: '$payload',
  props: 'NULL',
  topic_key: '$topic_key',
};

/** What store/writer-worker.cjs's row writer needs to agree with this file (plain data: it crosses to the worker). */
export const WRITER_SPEC = {
  insert: INSERT_MESSAGE,
  columns: WRITTEN_COLUMNS.length,
  at: Object.fromEntries(WRITTEN_COLUMNS.map((c, i) => [c, i])) as Record<(typeof WRITTEN_COLUMNS)[number], number>,
  lean: {
    head: INSERT_HEAD,
    row: `(${WRITTEN_COLUMNS.map((c) => LEAN_COLUMN[c]).join(', ')})`,
    slots: [...LEAN_SLOTS] as string[],
  },
  /** a topic's key (migration 7): ensure its row, then read its key; both bound (profile_id, topic) */
  topicKey: {
    ensure: 'INSERT INTO topics (profile_id, topic) VALUES (?, ?) ON CONFLICT DO NOTHING',
    get: 'SELECT key FROM topics WHERE profile_id = ? AND topic = ?',
  },
};

/**
 * Rows ready to write, as columns: handing them to the writer thread is one structured clone of a few arrays plus
 * one payload buffer that is transferred, not copied — no array and no Buffer per row. Ids are consecutive.
 */
export interface RowBatch {
  n: number;
  firstId: number;
  /** the distinct profile ids, and each row's index into them */
  profiles: string[];
  profileOf: Uint32Array;
  topics: string[];
  receivedAt: Float64Array;
  /** the payload's real size (stored cut when over the cap) */
  sizes: Float64Array;
  /** qos (bits 0–1) | retain (bit 2) | over cap (bit 3) | own (bit 4) */
  flags: Uint8Array;
  /** index into KINDS of writer-worker.cjs: json, text, binary */
  kinds: Uint8Array;
  /** the stored payloads end to end, in a buffer of their own (transferable); row i ends at ends[i] */
  payloads: Uint8Array;
  ends: Uint32Array;
  /** MQTT 5 properties as JSON per row, or null when no row has any */
  props: (string | null)[] | null;
  /** stored bytes in all */
  bytes: number;
}

interface RowWriter {
  write(batches: RowBatch[]): void;
}
const rowWriterModule = createRequire(import.meta.url)('./writer-worker.cjs') as {
  createRowWriter(db: Database.Database, spec: typeof WRITER_SPEC): RowWriter;
};
/**
 * The message log: batched inserts on the ingest hot path, retention by count and bytes,
 * keyset-paged queries for the UI and export.
 */
export class MessageLog {
  private budgetValue: LogBudget;
  /** running totals, so retention never has to scan the table */
  private count = 0;
  private bytes = 0;
  private readonly getStmt: Database.Statement;
  private readonly historyStmt: Database.Statement;
  private readonly topicKeyStmt: Database.Statement;
  private readonly idRangeStmt: Database.Statement;
  private readonly nextIdStmt: Database.Statement;
  private readonly previousIdStmt: Database.Statement;
  private readonly oldestStmt: Database.Statement;
  private readonly deleteUpToStmt: Database.Statement;
  private readonly queries = new Map<string, Database.Statement>();
  /** this thread's writes (tests, and the fallback when the writer thread is gone) */
  private readonly rowWriter: RowWriter;
  /** the next id prepareRows() gives out */
  private nextId = 1;
  private readonly trim: Database.Transaction<(excessCount: number, excessBytes: number) => number>;

  constructor(
    private readonly db: Database.Database,
    budget: Partial<LogBudget> = {},
  ) {
    this.budgetValue = normalizeBudget({ ...DEFAULT_LOG_BUDGET, ...budget });
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id = ?`);
    this.topicKeyStmt = db.prepare('SELECT key FROM topics WHERE profile_id = ? AND topic = ?');
    this.historyStmt = db.prepare(`SELECT ${COLUMNS} FROM messages WHERE ${SPAN_SQL} = ? AND topic_key = ? ORDER BY id DESC LIMIT ?`);
    this.idRangeStmt = db.prepare('SELECT min(id) AS lo, max(id) AS hi FROM messages');
    this.nextIdStmt = db.prepare('SELECT min(id) AS id FROM messages WHERE id >= ?');
    this.previousIdStmt = db.prepare('SELECT max(id) AS id FROM messages WHERE id < ?');
    // stored_bytes sits before payload in the row: walking it never reads the blobs
    this.oldestStmt = db.prepare('SELECT id, stored_bytes AS n FROM messages ORDER BY id ASC');
    this.deleteUpToStmt = db.prepare('DELETE FROM messages WHERE id <= ?');

    this.rowWriter = rowWriterModule.createRowWriter(db, WRITER_SPEC);

    this.trim = db.transaction((excessCount: number, excessBytes: number) => {
      let n = 0;
      let freed = 0;
      let cutoff = -1;
      for (const row of this.oldestStmt.iterate() as IterableIterator<{ id: number; n: number }>) {
        n++;
        freed += row.n;
        cutoff = row.id;
        if (n >= excessCount && freed >= excessBytes) break;
      }
      if (cutoff < 0) return 0;
      this.deleteUpToStmt.run(cutoff);
      this.count -= n;
      this.bytes -= freed;
      return n;
    });
    this.resync();
    this.nextId = this.firstFreeId();
  }

  get budget(): LogBudget {
    return { ...this.budgetValue };
  }

  /** Changes the budget (a settings change); shrinking it trims at once. */
  setBudget(budget: Partial<LogBudget>): void {
    this.budgetValue = normalizeBudget({ ...this.budgetValue, ...budget });
    this.enforceRetention();
  }

  /**
   * Validates a batch, assigns its ids and cuts over-cap payloads, here, and packs it as columns for the row
   * writer (on the writer thread, or writeRows() here); the commit is reported with committed().
   */
  prepareRows(rows: NewMessage[]): { ids: number[]; batch: RowBatch } {
    for (const r of rows) checkRow(r);
    const n = rows.length;
    const cap = this.budgetValue.payloadCapBytes;
    const firstId = this.nextId;
    this.nextId += n;
    const ids: number[] = new Array<number>(n);
    const batch: RowBatch = {
      n,
      firstId,
      profiles: [],
      profileOf: new Uint32Array(n),
      topics: new Array<string>(n),
      receivedAt: new Float64Array(n),
      sizes: new Float64Array(n),
      flags: new Uint8Array(n),
      kinds: new Uint8Array(n),
      payloads: new Uint8Array(0),
      ends: new Uint32Array(n),
      props: null,
      bytes: 0,
    };
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      ids[i] = firstId + i;
      let p = batch.profiles.indexOf(r.profileId); // one or two profiles a batch: a scan beats a Map
      if (p < 0) p = batch.profiles.push(r.profileId) - 1;
      batch.profileOf[i] = p;
      batch.topics[i] = r.topic;
      batch.receivedAt[i] = r.receivedAt;
      batch.sizes[i] = r.payload.length;
      const overCap = r.payload.length > cap;
      batch.flags[i] = r.qos | (r.retain ? 4 : 0) | (overCap ? 8 : 0) | (r.own ? 16 : 0);
      batch.kinds[i] = KIND_INDEX[r.kind];
      bytes += overCap ? cap : r.payload.length;
      batch.ends[i] = bytes;
      if (r.props) (batch.props ??= new Array<string | null>(n).fill(null))[i] = JSON.stringify(r.props);
    }
    // one buffer of its own (not a slice of Node's pool), so it can be transferred to the writer thread
    const payloads = Buffer.allocUnsafeSlow(bytes);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const end = batch.ends[i]!;
      rows[i]!.payload.copy(payloads, at, 0, end - at);
      at = end;
    }
    batch.payloads = payloads;
    batch.bytes = bytes;
    return { ids, batch };
  }

  /** Writes a batch from prepareRows() on this thread, in one transaction (the off-thread writer's fallback). */
  writeRows(batch: RowBatch): void {
    this.rowWriter.write([batch]);
    this.committed(batch.n, batch.bytes);
  }

  /** A batch from prepareRows() is committed: count it, and keep the budget. */
  committed(n: number, bytes: number): void {
    this.count += n;
    this.bytes += bytes;
    this.enforceRetention();
  }

  /**
   * Writes a batch in one transaction and returns the new ids, in order. The whole batch is
   * validated first: a bad row rejects the batch with a clear error and writes nothing.
   */
  insertBatch(rows: NewMessage[]): number[] {
    if (rows.length === 0) return [];
    const { ids, batch } = this.prepareRows(rows);
    this.writeRows(batch);
    return ids;
  }

  /**
   * Deletes the oldest messages while the log is over its budget. Cheap when within budget (two
   * comparisons). When over, it trims 1% below the bound so a steady stream trims once every ~1%
   * of the budget, not on every batch. Returns how many messages it deleted.
   */
  enforceRetention(): number {
    const { maxMessages, maxBytes } = this.budgetValue;
    if (this.count <= maxMessages && this.bytes <= maxBytes) return 0;
    const excessCount = this.count > maxMessages ? this.count - (maxMessages - Math.floor(maxMessages / 100)) : 0;
    const excessBytes = this.bytes > maxBytes ? this.bytes - (maxBytes - Math.floor(maxBytes / 100)) : 0;
    // IMMEDIATE: it reads, then deletes; a deferred transaction could not upgrade to a write in WAL mode
    // once the off-thread writer had committed in between (SQLITE_BUSY with no wait)
    return this.trim.immediate(excessCount, excessBytes);
  }

  /** A page of messages matching `q`, newest first unless `q.order` is 'asc'. */
  query(q: LogQuery, opts: { maxBytes?: number } = {}): StoredMessage[] {
    const limit = pageSize(q.limit);
    const { where, params, bySpan } = buildWhere(q);
    const order = q.order === 'asc' ? 'ASC' : 'DESC';
    const stmt = this.statement(`SELECT ${COLUMNS} FROM messages ${where} ORDER BY id ${order} LIMIT @limit`);
    const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
    const out: StoredMessage[] = [];
    let bytes = 0;
    // one topic: span by span in the page's order, each asked for what the page still lacks
    for (const span of bySpan ? this.spans(q, order) : [null]) {
      const bound = span === null ? { ...params, limit } : { ...params, span, limit: limit - out.length };
      // iterate, not all(): a byte budget (export) stops reading before large payloads pile up in memory
      for (const row of stmt.iterate(bound) as IterableIterator<MessageRow>) {
        out.push(fromRow(row));
        bytes += row.payload.length;
        if (bytes >= maxBytes) return out;
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** How many messages match `q` (ignores limit and order). */
  countMatching(q: LogQuery): number {
    const { where, params, bySpan } = buildWhere(q);
    const stmt = this.statement(`SELECT count(*) AS n FROM messages ${where}`);
    if (!bySpan) return (stmt.get(params) as { n: number }).n;
    let n = 0;
    for (const span of this.spans(q, 'ASC')) n += (stmt.get({ ...params, span }) as { n: number }).n;
    return n;
  }

  /**
   * The spans of ids (log-query.ts SPAN_SHIFT) a page of `q` may hold messages in, one at a time in the page's
   * order. From one span it goes to the next that holds any message, in one lookup: ids are never reused, so a
   * cleared flood leaves long runs of empty spans (100,000,000 ids are 6,100 spans).
   */
  private *spans(q: LogQuery, order: 'ASC' | 'DESC'): Generator<number> {
    const range = this.idRangeStmt.get() as { lo: number | null; hi: number | null };
    if (range.lo === null || range.hi === null) return;
    const lo = Math.max(range.lo, q.afterId !== undefined ? q.afterId + 1 : range.lo);
    const hi = Math.min(range.hi, q.beforeId !== undefined ? q.beforeId - 1 : range.hi);
    if (lo > hi) return;
    const asc = order === 'ASC';
    const last = spanOf(asc ? hi : lo);
    let span = spanOf(asc ? lo : hi);
    for (;;) {
      yield span;
      if (span === last) return;
      const next = (asc ? this.nextIdStmt.get((span + 1) * SPAN_IDS) : this.previousIdStmt.get(span * SPAN_IDS)) as { id: number | null };
      if (next.id === null) return;
      span = spanOf(next.id);
      if (asc ? span > last : span < last) return;
    }
  }

  get(id: number): StoredMessage | undefined {
    const row = this.getStmt.get(id) as MessageRow | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The latest messages of one topic, newest first. */
  topicHistory(profileId: string, topic: string, limit: number): StoredMessage[] {
    const key = this.topicKeyStmt.get(profileId, topic) as { key: number } | undefined;
    if (!key) return [];
    const want = pageSize(limit);
    const out: StoredMessage[] = [];
    for (const span of this.spans({}, 'DESC')) {
      for (const row of this.historyStmt.all(span, key.key, want - out.length) as MessageRow[]) out.push(fromRow(row));
      if (out.length >= want) break;
    }
    return out;
  }

  /** The newest id in the log (0 when empty). */
  lastId(): number {
    const row = this.statement('SELECT max(id) AS id FROM messages').get() as { id: number | null };
    return row.id ?? 0;
  }

  stats(): { count: number; bytes: number } {
    return { count: this.count, bytes: this.bytes };
  }

  /** Deletes the log of one profile, or all of it. Returns how many messages were deleted. */
  clear(profileId?: string): number {
    const info =
      profileId === undefined
        ? this.statement('DELETE FROM messages').run()
        : this.statement('DELETE FROM messages WHERE profile_id = ?').run(profileId);
    this.resync();
    return info.changes;
  }

  /** Ids are never reused (AUTOINCREMENT): continue after the highest ever given. */
  private firstFreeId(): number {
    const seq = this.statement("SELECT seq FROM sqlite_sequence WHERE name = 'messages'").get() as { seq: number } | undefined;
    return Math.max(seq?.seq ?? 0, this.lastId()) + 1;
  }

  private resync(): void {
    const row = this.statement('SELECT count(*) AS n, coalesce(sum(stored_bytes), 0) AS b FROM messages').get() as {
      n: number;
      b: number;
    };
    this.count = row.n;
    this.bytes = row.b;
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.queries.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.queries.set(sql, stmt);
    }
    return stmt;
  }
}

function fromRow(r: MessageRow): StoredMessage {
  const message: StoredMessage = {
    id: r.id,
    profileId: r.profile_id,
    topic: r.topic,
    receivedAt: r.received_at,
    qos: r.qos,
    retain: r.retain === 1,
    size: r.size,
    kind: r.kind,
    payload: r.payload,
    overCap: r.over_cap === 1,
    own: r.own === 1,
  };
  if (r.props) message.props = parseProps(r.props);
  return message;
}

/** The stored JSON; a row written by hand or damaged must not break a page of the log. */
function parseProps(text: string): MessageProps | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as MessageProps) : undefined;
  } catch {
    return undefined;
  }
}

function checkRow(r: NewMessage): void {
  const reject = (problem: string): never => {
    throw new TypeError(`message log: rejected a batch: ${problem}`);
  };
  if (typeof r.profileId !== 'string' || r.profileId === '') reject('profileId must be a non-empty string');
  if (typeof r.topic !== 'string' || r.topic === '') reject('topic must be a non-empty string');
  if (!Buffer.isBuffer(r.payload)) reject('payload must be a Buffer');
  if (!KINDS.has(r.kind)) reject(`kind must be json, text or binary, not ${JSON.stringify(r.kind)}`);
  if (r.qos !== 0 && r.qos !== 1 && r.qos !== 2) reject('qos must be 0, 1 or 2');
  if (!Number.isFinite(r.receivedAt)) reject('receivedAt must be a time in ms');
}

function normalizeBudget(b: LogBudget): LogBudget {
  const positive = (n: number, name: string): number => {
    if (!Number.isFinite(n) || n < 1) throw new RangeError(`message log budget: ${name} must be at least 1`);
    return Math.trunc(n);
  };
  const maxBytes = positive(b.maxBytes, 'maxBytes');
  // a single payload bigger than the whole byte budget would be trimmed away at once: cap it
  const payloadCapBytes = Math.min(positive(b.payloadCapBytes, 'payloadCapBytes'), maxBytes);
  return { maxMessages: positive(b.maxMessages, 'maxMessages'), maxBytes, payloadCapBytes };
}
