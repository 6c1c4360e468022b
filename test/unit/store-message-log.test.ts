import type * as Database from '../../electron/core/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database.js';
import { MessageLog, type NewMessage } from '../../electron/core/store/message-log.js';

let db: Database.Database;
beforeEach(() => {
  db = openDatabase(':memory:');
});
afterEach(() => db.close());

let clock = 1_700_000_000_000;
function msg(topic: string, payload: string | Buffer = 'x', extra: Partial<NewMessage> = {}): NewMessage {
  const buf = typeof payload === 'string' ? Buffer.from(payload) : payload;
  return { profileId: 'p1', topic, receivedAt: clock++, qos: 0, retain: false, payload: buf, kind: 'text', ...extra };
}

describe('MessageLog inserts and reads', () => {
  it('inserts a batch in order and reads every field back', () => {
    const log = new MessageLog(db);
    const bin = Buffer.from([0, 1, 2, 255]);
    const ids = log.insertBatch([
      msg('a/b', '{"data":1}', { kind: 'json', qos: 1, retain: true, own: true }),
      msg('a/c', bin, { kind: 'binary', profileId: 'p2' }),
    ]);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
    const first = log.get(ids[0]!)!;
    expect(first).toMatchObject({
      profileId: 'p1',
      topic: 'a/b',
      qos: 1,
      retain: true,
      own: true,
      kind: 'json',
      size: 10,
      overCap: false,
    });
    expect(first.payload.toString()).toBe('{"data":1}');
    const second = log.get(ids[1]!)!;
    expect(second.payload.equals(bin)).toBe(true);
    expect(second).toMatchObject({ profileId: 'p2', kind: 'binary', own: false, retain: false });
    expect(log.get(9999)).toBeUndefined();
    expect(log.stats()).toEqual({ count: 2, bytes: 14 });
  });

  it('writes a batch bigger than one multi-row insert group row by row in place (groups of 50 and the rest)', () => {
    const log = new MessageLog(db);
    // 123 rows: two full groups and 23 left over; every row different so a shifted column shows
    const rows = Array.from({ length: 123 }, (_, i) =>
      msg(`g/${i % 7}`, Buffer.from(`payload-${i}-${'z'.repeat(i)}`), {
        qos: (i % 2) as 0 | 1,
        retain: i % 3 === 0,
        own: i % 5 === 0,
        profileId: i % 4 === 0 ? 'p2' : 'p1',
      }),
    );
    const ids = log.insertBatch(rows);
    expect(ids).toHaveLength(123);
    ids.forEach((id, i) => {
      const got = log.get(id)!;
      expect(got.payload.toString()).toBe(`payload-${i}-${'z'.repeat(i)}`);
      expect(got).toMatchObject({
        topic: `g/${i % 7}`,
        qos: i % 2,
        retain: i % 3 === 0,
        own: i % 5 === 0,
        profileId: rows[i]!.profileId,
        size: rows[i]!.payload.length,
      });
    });
    // the topic index (topic keys) agrees with the rows: a topic's history is exactly its rows, newest first
    const g3p1 = ids.filter((_, i) => i % 7 === 3 && rows[i]!.profileId === 'p1').reverse();
    expect(log.topicHistory('p1', 'g/3', 500).map((m) => m.id)).toEqual(g3p1);
  });

  it('writes every column the same through the lean group insert (one profile, no properties) as through the others', () => {
    const log = new MessageLog(db, { payloadCapBytes: 40 });
    const kinds = ['json', 'text', 'binary'] as const;
    // 173 rows: group 1 all p1 (lean), group 2 with one row carrying MQTT 5 properties (full), group 3 all p2
    // (lean), 23 left over (one by one); qos, retain, own, kind and over-cap vary row by row
    const rows = Array.from({ length: 173 }, (_, i) =>
      msg(`lean/${i % 9}`, Buffer.from(`row-${i}-${'q'.repeat(i % 60)}`), {
        qos: (i % 3) as 0 | 1 | 2,
        retain: i % 4 === 1,
        own: i % 6 === 2,
        kind: kinds[i % 3],
        profileId: i >= 100 && i < 150 ? 'p2' : 'p1',
        ...(i === 77 ? { props: { contentType: 'text/plain' } } : {}),
      }),
    );
    const ids = log.insertBatch(rows);
    let storedBytes = 0;
    ids.forEach((id, i) => {
      const sent = rows[i]!;
      const got = log.get(id)!;
      const overCap = sent.payload.length > 40;
      storedBytes += overCap ? 40 : sent.payload.length;
      expect(got.payload.toString()).toBe(sent.payload.subarray(0, 40).toString());
      expect(got).toMatchObject({
        id,
        profileId: sent.profileId,
        topic: sent.topic,
        receivedAt: sent.receivedAt,
        qos: sent.qos,
        retain: sent.retain,
        own: sent.own,
        kind: sent.kind,
        size: sent.payload.length,
        overCap,
      });
      expect(got.props).toEqual(sent.props);
    });
    expect(log.stats()).toEqual({ count: 173, bytes: storedBytes });
    // counted from the rows themselves, as a restart does
    expect(new MessageLog(db).stats()).toEqual({ count: 173, bytes: storedBytes });
    const p2lean4 = ids.filter((_, i) => i % 9 === 4 && i >= 100 && i < 150).reverse();
    expect(log.topicHistory('p2', 'lean/4', 500).map((m) => m.id)).toEqual(p2lean4);
  });

  it('rejects a bad row with a clear error and writes nothing of the batch', () => {
    const log = new MessageLog(db);
    const bad = { ...msg('a'), payload: 'not a buffer' } as unknown as NewMessage;
    expect(() => log.insertBatch([msg('ok'), bad])).toThrow(/rejected a batch: payload must be a Buffer/);
    expect(() => log.insertBatch([{ ...msg('a'), kind: 'xml' } as unknown as NewMessage])).toThrow(/kind must be/);
    expect(log.stats().count).toBe(0);
    expect(log.insertBatch([])).toEqual([]);
  });

  it('pages newest first by keyset until the log is exhausted', () => {
    const log = new MessageLog(db);
    const ids = log.insertBatch(Array.from({ length: 25 }, (_, i) => msg(`t/${i}`)));
    const seen: number[] = [];
    let beforeId: number | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = log.query({ beforeId, limit: 10 });
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.id));
      beforeId = page.at(-1)!.id;
    }
    expect(seen).toEqual([...ids].reverse());
    // a new message does not disturb a cursor already handed out
    log.insertBatch([msg('t/new')]);
    expect(log.query({ beforeId: ids[5], limit: 3 }).map((m) => m.id)).toEqual([ids[4], ids[3], ids[2]]);
  });

  it('filters by profile, exact topic and MQTT wildcards', () => {
    const log = new MessageLog(db);
    log.insertBatch([
      msg('home/kitchen/temp'),
      msg('home/kitchen/hum'),
      msg('home/garage/temp'),
      msg('home'),
      msg('Home/kitchen/temp'),
      msg('home/kitchen/temp', 'x', { profileId: 'p2' }),
      msg('$SYS/home'),
    ]);
    const topics = (q: Parameters<MessageLog['query']>[0]): string[] => log.query({ limit: 100, ...q }).map((m) => m.topic);
    expect(topics({ profileId: 'p1', topicFilter: 'home/+/temp' })).toEqual(['home/garage/temp', 'home/kitchen/temp']);
    expect(topics({ profileId: 'p1', topicFilter: 'home/#' })).toEqual([
      'home',
      'home/garage/temp',
      'home/kitchen/hum',
      'home/kitchen/temp',
    ]);
    expect(topics({ topicFilter: 'home/kitchen/temp' })).toEqual(['home/kitchen/temp', 'home/kitchen/temp']);
    expect(topics({ profileId: 'p2' })).toEqual(['home/kitchen/temp']);
    expect(topics({ topicFilter: '#' })).not.toContain('$SYS/home');
    expect(topics({ topicFilter: '+/home' })).toEqual([]);
    expect(topics({ topicFilter: '$SYS/#' })).toEqual(['$SYS/home']);
    expect(log.countMatching({ topicFilter: 'home/+/temp' })).toBe(3);
  });

  it('treats %, _, \\, *, ? and [ in topics literally', () => {
    const log = new MessageLog(db);
    const tricky = ['a%b/c', 'a%b/x/c', 'axb/c', 'a_b/c', 'a\\b/c', 'a*b/c', 'a?b/c', 'a[b]/c', "it's/c", 'a/b%'];
    log.insertBatch(tricky.map((t) => msg(t)));
    const topics = (topicFilter: string): string[] =>
      log
        .query({ topicFilter, limit: 100 })
        .map((m) => m.topic)
        .sort();
    expect(topics('a%b/+')).toEqual(['a%b/c']);
    expect(topics('a_b/#')).toEqual(['a_b/c']);
    expect(topics('a\\b/c')).toEqual(['a\\b/c']);
    expect(topics('a*b/+')).toEqual(['a*b/c']);
    expect(topics('a?b/+')).toEqual(['a?b/c']);
    expect(topics('a[b]/+')).toEqual(['a[b]/c']);
    expect(topics("it's/+")).toEqual(["it's/c"]);
    expect(topics('+/c')).toEqual(tricky.filter((t) => t.endsWith('/c') && t.split('/').length === 2).sort());
    expect(topics('a/b%')).toEqual(['a/b%']);
  });

  it('rejects a malformed filter with a clear error', () => {
    const log = new MessageLog(db);
    expect(() => log.query({ topicFilter: 'a/#/b', limit: 10 })).toThrow(/"#" must be a whole level/);
  });

  it('searches payload text case-insensitively, literally, never in binary payloads', () => {
    const log = new MessageLog(db);
    log.insertBatch([
      msg('t', 'Temperature is 20%'),
      msg('t', 'temperature is 20 degrees'),
      msg('t', 'under_score'),
      msg('t', 'underXscore'),
      msg('t', Buffer.from('temperature in binary\u0000'), { kind: 'binary' }),
    ]);
    const texts = (text: string): string[] => log.query({ text, limit: 100 }).map((m) => m.payload.toString());
    expect(texts('TEMPERATURE')).toEqual(['temperature is 20 degrees', 'Temperature is 20%']);
    expect(texts('20%')).toEqual(['Temperature is 20%']);
    expect(texts('under_')).toEqual(['under_score']);
    expect(texts('nothing like it')).toEqual([]);
  });

  it('returns the history of one topic, newest first, bounded', () => {
    const log = new MessageLog(db);
    log.insertBatch([msg('x', '1'), msg('y', '2'), msg('x', '3'), msg('x', '4')]);
    expect(log.topicHistory('p1', 'x', 2).map((m) => m.payload.toString())).toEqual(['4', '3']);
    expect(log.topicHistory('p2', 'x', 2)).toEqual([]);
  });

  it('clears one profile or everything, and keeps ids increasing after a clear', () => {
    const log = new MessageLog(db);
    const ids = log.insertBatch([msg('a'), msg('b', 'yy', { profileId: 'p2' })]);
    expect(log.clear('p1')).toBe(1);
    expect(log.stats()).toEqual({ count: 1, bytes: 2 });
    expect(log.clear()).toBe(1);
    expect(log.stats()).toEqual({ count: 0, bytes: 0 });
    const [next] = log.insertBatch([msg('c')]);
    expect(next).toBeGreaterThan(ids[1]!);
  });

  it('stops reading a page at its byte budget (export reads big payloads a few at a time)', () => {
    const log = new MessageLog(db);
    log.insertBatch(Array.from({ length: 10 }, () => msg('big', Buffer.alloc(1000, 97))));
    expect(log.query({ limit: 10 }, { maxBytes: 2500 })).toHaveLength(3);
    expect(log.query({ limit: 10 }, { maxBytes: 1 })).toHaveLength(1);
  });
});

describe('MessageLog retention and caps', () => {
  it('holds the count budget, deleting the oldest first', () => {
    const log = new MessageLog(db, { maxMessages: 50 });
    let last: number[] = [];
    for (let b = 0; b < 20; b++) {
      last = log.insertBatch(Array.from({ length: 7 }, (_, i) => msg(`t/${b}/${i}`)));
      expect(log.stats().count).toBeLessThanOrEqual(50);
      expect(db.prepare('SELECT count(*) FROM messages').pluck().get()).toBe(log.stats().count);
    }
    const kept = log.query({ limit: 100 }).map((m) => m.id);
    expect(kept.slice(0, 7)).toEqual([...last].reverse()); // newest survive
    expect(Math.min(...kept)).toBe(Math.max(...kept) - kept.length + 1); // contiguous: only the oldest went
  });

  it('holds the bytes budget and keeps its running total exact', () => {
    const log = new MessageLog(db, { maxBytes: 10_000 });
    for (let b = 0; b < 30; b++) {
      log.insertBatch(Array.from({ length: 5 }, (_, i) => msg('t', Buffer.alloc(100 + ((b * 5 + i) % 7) * 50, 120))));
      const real = db.prepare('SELECT coalesce(sum(length(payload)), 0) FROM messages').pluck().get() as number;
      expect(log.stats().bytes).toBe(real);
      expect(real).toBeLessThanOrEqual(10_000);
    }
    expect(log.stats().count).toBeGreaterThan(0);
  });

  it('trims at once when the budget shrinks, and recounts its totals when reopened', () => {
    const log = new MessageLog(db);
    log.insertBatch(Array.from({ length: 100 }, () => msg('t', 'abcd')));
    log.setBudget({ maxMessages: 10 });
    expect(log.stats().count).toBeLessThanOrEqual(10);
    const again = new MessageLog(db);
    expect(again.stats()).toEqual(log.stats());
    expect(() => log.setBudget({ maxMessages: 0 })).toThrow(/maxMessages must be at least 1/);
  });

  it('stores payloads over the cap cut to it, marked, with their real size', () => {
    const log = new MessageLog(db, { payloadCapBytes: 64 });
    const big = Buffer.alloc(200, 122);
    const [over, under] = log.insertBatch([msg('big', big), msg('small', Buffer.alloc(64, 121))]);
    const stored = log.get(over!)!;
    expect(stored.overCap).toBe(true);
    expect(stored.size).toBe(200);
    expect(stored.payload.length).toBe(64);
    expect(stored.payload.equals(big.subarray(0, 64))).toBe(true);
    expect(log.get(under!)!).toMatchObject({ overCap: false, size: 64 });
    expect(log.stats().bytes).toBe(128);
  });
});
