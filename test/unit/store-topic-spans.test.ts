/**
 * A topic's messages are found span by span (migration 9's (id >> 14, topic_key, id) index): History, the log's
 * exact-topic pages (both orders, keyset cursors), counts and export's byte budget read across spans as one log,
 * and SQLite does use the index (a full scan of a large log would be a silent 1000× slowdown).
 */
import type * as Database from '../../electron/core/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database.js';
import { SPAN_SHIFT, SPAN_SQL, buildWhere } from '../../electron/core/store/log-query.js';
import { MessageLog, type NewMessage } from '../../electron/core/store/message-log.js';

let db: Database.Database;
let log: MessageLog;
/** ids of the 'rare' topic's messages, p1 then p2, in the order they were written */
const rare: { p1: number[]; p2: number[] } = { p1: [], p2: [] };

beforeEach(() => {
  db = openDatabase(':memory:');
  log = new MessageLog(db);
  rare.p1 = [];
  rare.p2 = [];
  // 40,000 messages: ids 1–40,000 cover spans 0, 1 and 2; 'rare' comes 3 times for p1 (one per span) and once for p2
  const at = new Map([
    [5, 'p1'],
    [20_000, 'p1'],
    [30_000, 'p2'],
    [39_000, 'p1'],
  ]);
  let clock = 1_700_000_000_000;
  for (let from = 1; from <= 40_000; from += 5000) {
    const rows: NewMessage[] = [];
    for (let i = from; i < from + 5000; i++) {
      const profileId = at.get(i) ?? 'p1';
      rows.push({ profileId, topic: at.has(i) ? 'rare' : `hot/${i % 50}`, receivedAt: clock++, qos: 0, retain: false, payload: Buffer.from(`m${i}`), kind: 'text' });
    }
    const ids = log.insertBatch(rows);
    rows.forEach((r, k) => {
      if (r.topic === 'rare') rare[r.profileId as 'p1' | 'p2'].push(ids[k]!);
    });
  }
});
afterEach(() => db.close());

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

describe('a topic across spans of ids', () => {
  it('the ids really cover three spans', () => {
    expect(rare.p1.map((id) => Math.floor(id / 2 ** SPAN_SHIFT))).toEqual([0, 1, 2]);
  });

  it('History: newest first, across spans, as far as the limit', () => {
    expect(ids(log.topicHistory('p1', 'rare', 200))).toEqual([...rare.p1].reverse());
    expect(ids(log.topicHistory('p1', 'rare', 2))).toEqual([rare.p1[2], rare.p1[1]]);
    expect(ids(log.topicHistory('p2', 'rare', 200))).toEqual(rare.p2);
    expect(log.topicHistory('p1', 'never', 200)).toEqual([]);
  });

  it('the log pages one topic by keyset in both orders, one profile or all', () => {
    const first = log.query({ profileId: 'p1', topicFilter: 'rare', limit: 2 });
    expect(ids(first)).toEqual([rare.p1[2], rare.p1[1]]);
    expect(ids(log.query({ profileId: 'p1', topicFilter: 'rare', limit: 2, beforeId: first.at(-1)!.id }))).toEqual([rare.p1[0]]);
    expect(ids(log.query({ profileId: 'p1', topicFilter: 'rare', order: 'asc', afterId: rare.p1[0]!, limit: 10 }))).toEqual([rare.p1[1], rare.p1[2]]);
    const all = [...rare.p1, ...rare.p2].sort((a, b) => b - a);
    expect(ids(log.query({ topicFilter: 'rare', limit: 10 }))).toEqual(all);
    // other filters still apply within each span
    expect(ids(log.query({ topicFilter: 'rare', text: 'm20000' }))).toEqual([rare.p1[1]]);
  });

  it('counts across spans, and a byte budget stops the read where export wants it', () => {
    expect(log.countMatching({ topicFilter: 'rare' })).toBe(4);
    expect(log.countMatching({ profileId: 'p1', topicFilter: 'rare' })).toBe(3);
    expect(log.countMatching({ profileId: 'p1', topicFilter: 'rare', beforeId: rare.p1[2]! })).toBe(2);
    // each payload is 2–6 bytes: a 1-byte budget returns the first row only
    expect(ids(log.query({ topicFilter: 'rare', order: 'asc', limit: 10 }, { maxBytes: 1 }))).toEqual([rare.p1[0]]);
  });

  it('SQLite walks the span index for History and for exact-topic pages, not the table', () => {
    const plan = (sql: string, params: unknown) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail).join(' | ');
    const history = plan(`SELECT * FROM messages WHERE ${SPAN_SQL} = ? AND topic_key = ? ORDER BY id DESC LIMIT 10`, [1, 1]);
    expect(history).toMatch(/USING INDEX messages_topic_span/);
    for (const q of [{ profileId: 'p1', topicFilter: 'rare' }, { topicFilter: 'rare' }]) {
      const { where, params } = buildWhere(q);
      expect(plan(`SELECT * FROM messages ${where} ORDER BY id DESC LIMIT 10`, { ...params, span: 1 })).toMatch(/USING INDEX messages_topic_span/);
    }
  });
});

describe('a log with a long run of empty spans (ids are never reused: a flood cleared away leaves one)', () => {
  it('reads a topic across it at once, both ways, and counts it', () => {
    const gapDb = openDatabase(':memory:');
    try {
      const row = (topic: string): NewMessage => ({ profileId: 'p1', topic, receivedAt: 1, qos: 0, retain: false, payload: Buffer.from('x'), kind: 'text' });
      const [old] = new MessageLog(gapDb).insertBatch([row('rare'), row('other')]);
      // as if 2^36 ids had been given and cleared since: 4 million empty spans
      gapDb.prepare("UPDATE sqlite_sequence SET seq = ? WHERE name = 'messages'").run(2 ** 36);
      const later = new MessageLog(gapDb);
      const [recent] = later.insertBatch([row('rare'), row('other')]);
      expect(recent! - old!).toBeGreaterThan(2 ** 35);
      expect(ids(later.topicHistory('p1', 'rare', 10))).toEqual([recent, old]);
      expect(ids(later.query({ profileId: 'p1', topicFilter: 'rare', limit: 1, beforeId: recent! }))).toEqual([old]);
      expect(ids(later.query({ topicFilter: 'rare', order: 'asc', limit: 10 }))).toEqual([old, recent]);
      expect(later.countMatching({ topicFilter: 'rare' })).toBe(2);
    } finally {
      gapDb.close();
    }
  });
});
