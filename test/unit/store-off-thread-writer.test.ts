import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MessageLog, OffThreadWriter, openDatabase, type NewMessage } from '../../electron/core/store/index.js';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function rows(n: number, from = 0): NewMessage[] {
  return Array.from({ length: n }, (_, i) => ({
    profileId: 'p',
    topic: `t/${(from + i) % 3}`,
    receivedAt: 1_700_000_000_000 + from + i,
    qos: 0 as const,
    retain: false,
    payload: Buffer.from(JSON.stringify({ data: from + i })),
    kind: 'json' as const,
  }));
}

describe('the off-thread writer', () => {
  it('gives ids at once, commits on the worker, and reads after settled() see every row', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-otw-'));
    dirs.push(dir);
    const file = path.join(dir, 'apiary.db');
    const db = openDatabase(file);
    const log = new MessageLog(db);
    const writer = new OffThreadWriter(log, file, logger);
    const first = writer.insertBatch(rows(200));
    const second = writer.insertBatch(rows(100, 200));
    expect(first).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(second[0]).toBe(201);
    await writer.settled();
    expect(log.stats().count).toBe(300);
    expect(log.get(250)?.payload.toString()).toBe('{"data":249}');
    expect(log.topicHistory('p', 't/0', 1000)).toHaveLength(100);
    // the same topic under another profile gets its own key: the histories stay apart
    writer.insertBatch(rows(6).map((r) => ({ ...r, profileId: 'q' })));
    await writer.settled();
    expect(log.topicHistory('q', 't/0', 1000).map((m) => m.id)).toEqual([304, 301]);
    expect(log.topicHistory('p', 't/0', 1000)).toHaveLength(100);
    expect(log.query({ profileId: 'q', topicFilter: 't/1', limit: 100 })).toHaveLength(2);
    await writer.close();
    db.close();

    // a restart continues after the highest id ever given, also after the rows are gone
    const db2 = openDatabase(file);
    const log2 = new MessageLog(db2);
    log2.clear();
    const writer2 = new OffThreadWriter(log2, file, logger);
    expect(writer2.insertBatch(rows(1))).toEqual([307]);
    await writer2.settled();
    expect(log2.get(307)).toBeDefined();
    expect(log2.topicHistory('p', 't/0', 10).map((m) => m.id)).toEqual([307]);
    await writer2.close();
    db2.close();
  });

  it('settled() waits for the batches handed over before it, not for those that keep coming (a flood)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-otw-'));
    dirs.push(dir);
    const file = path.join(dir, 'apiary.db');
    const db = openDatabase(file);
    const log = new MessageLog(db);
    const writer = new OffThreadWriter(log, file, logger);
    // a flood: each commit hands the writer a new batch, so one is always in flight (bounded: 200 batches)
    const FLOOD = 200;
    let handed = 1;
    let handedWhenSettled = -1;
    const committed = log.committed.bind(log);
    log.committed = (n: number, bytes: number) => {
      committed(n, bytes);
      if (handed < FLOOD) writer.insertBatch(rows(10, 10 * handed++));
    };
    writer.insertBatch(rows(10));
    await writer.settled().then(() => (handedWhenSettled = handed));
    expect(log.stats().count).toBeGreaterThanOrEqual(10); // what was handed over before settled() is readable
    expect(handedWhenSettled).toBeLessThan(FLOOD); // it did not wait for the flood to end
    log.committed = committed;
    await writer.close();
    db.close();
  });

  it('keeps the budget on commit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-otw-'));
    dirs.push(dir);
    const file = path.join(dir, 'apiary.db');
    const db = openDatabase(file);
    const log = new MessageLog(db, { maxMessages: 1000 });
    const writer = new OffThreadWriter(log, file, logger);
    for (let i = 0; i < 30; i++) writer.insertBatch(rows(100, i * 100));
    await writer.settled();
    expect(log.stats().count).toBeLessThanOrEqual(1000);
    const count = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    expect(count).toBe(log.stats().count);
    await writer.close();
    db.close();
  });

  it('says how far it is behind: rows handed over and not committed, and how long the oldest has waited', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-otw-'));
    dirs.push(dir);
    const file = path.join(dir, 'apiary.db');
    const db = openDatabase(file);
    const log = new MessageLog(db);
    const writer = new OffThreadWriter(log, file, logger);
    expect(writer.lag()).toEqual({ messages: 0, ms: 0 });
    const handedAt = Date.now();
    writer.insertBatch(rows(300));
    writer.insertBatch(rows(200, 300));
    // nothing can be committed before this turn of the event loop ends: the answer is on the way back
    const lag = writer.lag(handedAt + 1500);
    expect(lag.messages).toBe(500);
    expect(lag.ms).toBeGreaterThanOrEqual(1400);
    await writer.settled();
    expect(writer.lag()).toEqual({ messages: 0, ms: 0 });
    expect(log.stats().count).toBe(500);
    await writer.close();
    db.close();
  });

  it('writes every field on the worker as the main thread does: QoS, retain, own, kind, properties, a cut payload', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-otw-'));
    dirs.push(dir);
    const file = path.join(dir, 'apiary.db');
    const db = openDatabase(file);
    const log = new MessageLog(db, { payloadCapBytes: 8 });
    const writer = new OffThreadWriter(log, file, logger);
    const props = { contentType: 'application/json', userProperties: [['site', 'a']] as [string, string][] };
    const [big, small, empty] = writer.insertBatch([
      { profileId: 'p', topic: 'a/b', receivedAt: 1_700_000_000_123, qos: 1, retain: true, own: true, payload: Buffer.from('0123456789abc'), kind: 'text', props },
      { profileId: 'q', topic: 'a/c', receivedAt: 1_700_000_000_124, qos: 2, retain: false, payload: Buffer.from([0, 1, 2]), kind: 'binary' },
      { profileId: 'p', topic: 'a/b', receivedAt: 1_700_000_000_125, qos: 0, retain: false, payload: Buffer.alloc(0), kind: 'json' },
    ]);
    await writer.settled();
    expect(log.get(big!)).toMatchObject({ profileId: 'p', topic: 'a/b', receivedAt: 1_700_000_000_123, qos: 1, retain: true, own: true, size: 13, overCap: true, kind: 'text', props });
    expect(log.get(big!)?.payload.toString()).toBe('01234567');
    expect(log.get(small!)).toMatchObject({ profileId: 'q', qos: 2, retain: false, own: false, size: 3, overCap: false, kind: 'binary' });
    expect([...log.get(small!)!.payload]).toEqual([0, 1, 2]);
    expect(log.get(small!)?.props).toBeUndefined();
    expect(log.get(empty!)?.payload.length).toBe(0);
    expect(log.stats()).toEqual({ count: 3, bytes: 11 });
    expect(log.topicHistory('p', 'a/b', 10).map((m) => m.id)).toEqual([empty, big]);
    await writer.close();
    db.close();
  });
});
