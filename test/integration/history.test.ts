/**
 * The History explorer's core against the real sandbox: the REST client's reads (raw, hour/day statistics,
 * sample rate, named ranges, start/end), record update and delete, the export of 50,000 records to CSV and JSON
 * with its progress, and the history.* contract methods through a real core (bad input refused with words).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads, HistoryBucketDTO, HistoryReadResult, HistoryRecordDTO } from '../../electron/api.js';
import { exportHistory } from '../../electron/core/beebotte/history-export.js';
import { BeebotteRest, BeebotteRestError } from '../../electron/core/beebotte/rest-client.js';
import { parseCsv } from '../../electron/core/store/csv.js';
import { startTestCore, tempDir, waitFor, type TestCore } from '../tools/core-fixture.js';
import { ALICE, BOB, startTestSandbox, type TestSandbox } from '../tools/sandbox-fixtures.js';

const HOUR = 3_600_000;
/** the start of a UTC hour a day ago: three full hours of records fit before now */
const BASE = Math.floor((Date.now() - 24 * HOUR) / HOUR) * HOUR;

let t: TestSandbox;
let alice: BeebotteRest;

/** Bulk writes with explicit times, in requests under the sandbox's body limit. */
async function writeRecords(rest: BeebotteRest, channel: string, records: { resource: string; data: unknown; ts: number }[]): Promise<void> {
  for (let i = 0; i < records.length; i += 1500) {
    await rest.request('POST', `/v1/data/write/${channel}`, { records: records.slice(i, i + 1500) });
  }
}

const raw = (r: HistoryReadResult): HistoryRecordDTO[] => {
  if (r.source !== 'raw') throw new Error(`expected raw records, got ${r.source}`);
  return r.records;
};
const buckets = (r: HistoryReadResult): HistoryBucketDTO[] => {
  if (r.source === 'raw') throw new Error('expected statistics, got raw records');
  return r.buckets;
};

beforeAll(async () => {
  t = await startTestSandbox({ retention: { maxRecordsPerResource: 60_000 } });
  alice = new BeebotteRest(t.sandbox.urls.http, { kind: 'keys', apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
  // hour 0: 10, 20 · hour 1: 1, 2, 3, 4 · hour 2: 100
  const values = [
    [0, 10],
    [0, 20],
    [1, 1],
    [1, 2],
    [1, 3],
    [1, 4],
    [2, 100],
  ] as const;
  await writeRecords(
    alice,
    'home',
    values.map(([hour, v], i) => ({ resource: 'temp', data: v, ts: BASE + hour * HOUR + (i + 1) * 60_000 })),
  );
});
afterAll(async () => {
  await t?.cleanup();
});

describe('REST client reads', () => {
  it('reads raw records with their ids, oldest first, within start/end', async () => {
    const all = raw(await alice.readRecords('home', 'temp', { start: BASE, end: BASE + 3 * HOUR }));
    expect(all.map((r) => r.data)).toEqual([10, 20, 1, 2, 3, 4, 100]);
    expect(new Set(all.map((r) => r.id)).size).toBe(7);
    const hour1 = raw(await alice.readRecords('home', 'temp', { start: BASE + HOUR, end: BASE + 2 * HOUR - 1 }));
    expect(hour1.map((r) => r.data)).toEqual([1, 2, 3, 4]);
  });

  it('gives hourly statistics: count, min, max, mean, sum per UTC hour', async () => {
    const stats = buckets(await alice.readRecords('home', 'temp', { source: 'hour-stats', start: BASE, end: BASE + 3 * HOUR }));
    expect(stats.map((b) => [b.ts - BASE, b.count, b.min, b.max, b.mean, b.sum])).toEqual([
      [0, 2, 10, 20, 15, 30],
      [HOUR, 4, 1, 4, 2.5, 10],
      [2 * HOUR, 1, 100, 100, 100, 100],
    ]);
  });

  it('gives daily statistics over the same records', async () => {
    const stats = buckets(await alice.readRecords('home', 'temp', { source: 'day-stats', start: BASE, end: BASE + 3 * HOUR }));
    expect(stats.reduce((n, b) => n + b.count, 0)).toBe(7);
    expect(stats.reduce((n, b) => n + (b.sum ?? 0), 0)).toBe(140);
  });

  it('keeps one record in every N with a sample rate, and at most limit (the newest)', async () => {
    const sampled = raw(await alice.readRecords('home', 'temp', { start: BASE, end: BASE + 3 * HOUR, sampleRate: 3 }));
    expect(sampled.map((r) => r.data)).toEqual([10, 2, 100]); // newest first: 100, 4, 3, 2, 1, 20, 10 → every third
    const newest = raw(await alice.readRecords('home', 'temp', { start: BASE, end: BASE + 3 * HOUR, limit: 2 }));
    expect(newest.map((r) => r.data)).toEqual([4, 100]);
  });

  it('reads a named range: nothing of yesterday-or-older is in the last hour', async () => {
    const lastHour = raw(await alice.readRecords('home', 'temp', { timeRange: '1hour' }));
    expect(lastHour.filter((r) => r.ts < Date.now() - 2 * HOUR)).toEqual([]);
    const month = raw(await alice.readRecords('home', 'temp', { timeRange: '1month' }));
    expect(month.length).toBeGreaterThanOrEqual(7);
  });

  it('says what is wrong with a bad read, in words', async () => {
    await expect(alice.readRecords('home', 'nosuch', {})).rejects.toThrow(/404/);
    await expect(alice.readRecords('home', 'temp', { timeRange: 'fortnight' })).rejects.toThrow(/400\/1401.*time-range/);
  });
});

describe('REST client record update and delete', () => {
  it('updates a value (and its time) and deletes a record; another account cannot touch it', async () => {
    await writeRecords(alice, 'home', [{ resource: 'note', data: 'first', ts: BASE + 5 * 60_000 }]);
    const [record] = raw(await alice.readRecords('home', 'note', { start: BASE, end: BASE + HOUR }));
    expect(record?.data).toBe('first');

    await alice.updateRecord('home', 'note', record!.id, 'second', BASE + 6 * 60_000);
    const [updated] = raw(await alice.readRecords('home', 'note', { start: BASE, end: BASE + HOUR }));
    expect(updated).toEqual({ id: record!.id, ts: BASE + 6 * 60_000, data: 'second' });

    // bob's home/note is his own: the same id is no record of his
    const bob = new BeebotteRest(t.sandbox.urls.http, { kind: 'keys', apiKey: BOB.apiKey, secretKey: BOB.secretKey });
    await expect(bob.deleteRecord('home', 'note', record!.id)).rejects.toMatchObject({ status: 404 });

    await alice.deleteRecord('home', 'note', record!.id);
    expect(raw(await alice.readRecords('home', 'note', { start: BASE, end: BASE + HOUR }))).toEqual([]);
    const again = await alice.deleteRecord('home', 'note', record!.id).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(BeebotteRestError);
    expect((again as BeebotteRestError).message).toMatch(/404\/1300/);
  });

  it('refuses a value that does not fit the vtype and keeps the record as it was', async () => {
    const [record] = raw(await alice.readRecords('home', 'temp', { start: BASE, end: BASE + HOUR, limit: 1 }));
    await expect(alice.updateRecord('home', 'temp', record!.id, 'warm')).rejects.toThrow(/400\/1404/);
    const [same] = raw(await alice.readRecords('home', 'temp', { start: BASE, end: BASE + HOUR, limit: 1 }));
    expect(same).toEqual(record);
  });
});

describe('export of 50,000 records', () => {
  const N = 50_000;
  beforeAll(async () => {
    const start = BASE + 10 * HOUR;
    const records = Array.from({ length: N }, (_, i) => ({ resource: 'temp', data: i % 100, ts: start + i * 100 }));
    await writeRecords(alice, 'home', records);
  }, 120_000);

  const query = { start: BASE + 10 * HOUR, end: BASE + 10 * HOUR + N * 100, limit: N };

  it('writes every record to CSV, counting progress up to the total', async () => {
    const dir = tempDir('apiary-history-export-');
    const progress: [number, number][] = [];
    const result = await exportHistory(alice, 'home', 'temp', query, {
      format: 'csv',
      file: `${dir}/temp.csv`,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result.count).toBe(N);
    const rows = parseCsv(readFileSync(result.file, 'utf8'));
    expect(rows[0]).toEqual(['id', 'time', 'ts', 'data']);
    expect(rows.length).toBe(N + 1);
    expect(rows[1]![3]).toBe('0');
    expect(rows[N]![3]).toBe(String((N - 1) % 100));
    expect(new Date(rows[1]![1]!).getTime()).toBe(Number(rows[1]![2]));
    // progress: (0, 0) before the read, then counts that never go back, ending at (N, N)
    expect(progress[0]).toEqual([0, 0]);
    expect(progress.at(-1)).toEqual([N, N]);
    const dones = progress.slice(1).map(([d]) => d);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    console.log(`export of ${N} records: ${result.bytes} bytes, ${progress.length} progress events`);
  }, 60_000);

  it('writes JSON that parses back, and hour statistics as rows', async () => {
    const dir = tempDir('apiary-history-export-');
    const json = await exportHistory(alice, 'home', 'temp', query, { format: 'json', file: `${dir}/temp.json` });
    const parsed = JSON.parse(readFileSync(json.file, 'utf8')) as { id: string; ts: number; data: number }[];
    expect(parsed.length).toBe(N);
    expect(parsed[N - 1]).toMatchObject({ ts: query.start + (N - 1) * 100, data: (N - 1) % 100 });

    const stats = await exportHistory(alice, 'home', 'temp', { ...query, source: 'hour-stats' }, { format: 'csv', file: `${dir}/stats.csv` });
    const rows = parseCsv(readFileSync(stats.file, 'utf8'));
    expect(rows[0]).toEqual(['time', 'ts', 'count', 'min', 'max', 'mean', 'sum']);
    // 50,000 records 100 ms apart span 5,000 s: two UTC hours
    expect(rows.slice(1).reduce((n, r) => n + Number(r[2]), 0)).toBe(N);
  }, 60_000);

  it('leaves no file behind when the read fails', async () => {
    const dir = tempDir('apiary-history-export-');
    await expect(exportHistory(alice, 'home', 'nosuch', query, { format: 'csv', file: `${dir}/x.csv` })).rejects.toThrow(/404/);
    expect(() => readFileSync(`${dir}/x.csv`)).toThrow();
  });
});

describe('history.* through the core (the embedded sandbox, built-in profile)', () => {
  let c: TestCore;
  let demo: BeebotteRest;
  beforeAll(async () => {
    c = await startTestCore({ demoSensor: false, autoConnectSandbox: false });
    const sandbox = c.core.services.sandbox!;
    demo = new BeebotteRest(sandbox.urls.http, { kind: 'keys', apiKey: sandbox.demo!.apiKey, secretKey: sandbox.demo!.secretKey });
    await writeRecords(
      demo,
      'demo',
      [5, 7, 9].map((v, i) => ({ resource: 'temperature', data: v, ts: BASE + i * 60_000 })),
    );
  });
  afterAll(async () => {
    await c?.close();
  });
  const profileId = 'sandbox';
  const at = { profileId, channel: 'demo', resource: 'temperature' };

  it('reads, edits and deletes a record', async () => {
    const read = (await c.core.call('history.read', { ...at, start: BASE, end: BASE + HOUR })) as HistoryReadResult;
    const records = raw(read);
    expect(records.map((r) => r.data)).toEqual([5, 7, 9]);

    expect(await c.core.call('history.updateRecord', { ...at, id: records[0]!.id, data: '6.5' })).toEqual({ updated: true });
    expect(await c.core.call('history.deleteRecord', { ...at, id: records[2]!.id })).toEqual({ deleted: true });
    const stats = buckets((await c.core.call('history.read', { ...at, start: BASE, end: BASE + HOUR, source: 'hour-stats' })) as HistoryReadResult);
    expect(stats).toEqual([{ ts: BASE, count: 2, min: 6.5, max: 7, mean: 6.75, sum: 13.5 }]);

    await expect(c.core.call('history.deleteRecord', { ...at, id: records[2]!.id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(c.core.call('history.updateRecord', { ...at, id: records[1]!.id, data: '"hot"' })).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/does not match the resource type/),
    });
  });

  it('refuses bad input with what to change', async () => {
    const bad = async (method: string, params: unknown) => c.core.call(method, params).catch((e: unknown) => e as { code: string; message: string });
    expect(await bad('history.read', { ...at, timeRange: 'fortnight' })).toMatchObject({ code: 'invalid_params', message: expect.stringMatching(/not one Beebotte reads/) });
    expect(await bad('history.read', { ...at, timeRange: '6hour', start: BASE })).toMatchObject({ message: expect.stringMatching(/not both/) });
    expect(await bad('history.read', { ...at, start: BASE + 1, end: BASE })).toMatchObject({ message: expect.stringMatching(/start is after the end/) });
    expect(await bad('history.read', { ...at, limit: 50_001 })).toMatchObject({ code: 'invalid_params' });
    expect(await bad('history.read', { ...at, sampleRate: 0 })).toMatchObject({ code: 'invalid_params' });
    expect(await bad('history.read', { ...at, channel: 'a/b' })).toMatchObject({ code: 'invalid_params' });
    expect(await bad('history.updateRecord', { ...at, id: '1', data: '{oops' })).toMatchObject({ message: expect.stringMatching(/not JSON/) });
    expect(await bad('history.read', { ...at, profileId: 'nobody' })).toMatchObject({ code: 'not_found' });
  });

  it('exports in the background with export.progress events of kind history, to a file the host serves', async () => {
    const events: EventPayloads['export.progress'][] = [];
    const off = c.core.bus.subscribe((event, data) => {
      if (event === 'export.progress') events.push(data as EventPayloads['export.progress']);
    });
    const { exportId } = (await c.core.call('history.export', { query: { ...at, start: BASE, end: BASE + HOUR }, format: 'json' })) as { exportId: string };
    const done = await waitFor(() => events.find((e) => e.exportId === exportId && (e.finished || e.error)), 'the export to finish');
    off();
    expect(done.error).toBeUndefined();
    expect(done.kind).toBe('history');
    expect(done.finished).toMatchObject({ count: 2, downloadPath: expect.stringMatching(/^\/exports\/apiary-export-history-demo-temperature-[\w-]+\.json$/) });
    expect(done.finished!.file.startsWith(c.core.exportsDir)).toBe(true);
    expect((JSON.parse(readFileSync(done.finished!.file, 'utf8')) as { data: number }[]).map((r) => r.data)).toEqual([6.5, 7]);
  });

  it('reports a failed export as an event, not a crash', async () => {
    const events: EventPayloads['export.progress'][] = [];
    const off = c.core.bus.subscribe((event, data) => {
      if (event === 'export.progress') events.push(data as EventPayloads['export.progress']);
    });
    const { exportId } = (await c.core.call('history.export', { query: { ...at, resource: 'nosuch' }, format: 'csv' })) as { exportId: string };
    const failed = await waitFor(() => events.find((e) => e.exportId === exportId && e.error), 'the export to fail');
    off();
    expect(failed.error).toMatch(/404/);
  });
});
