/**
 * Sandbox reads and stored records as Beebotte has them, driven by the official SDK where it has the call:
 * hour/day statistics, sample-rate, named time ranges, `ts: 0` meaning reception time, record update and
 * delete, and the public channel listing.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type TestSandbox,
  connectMqtt,
  endClient,
  publish,
  rest,
  sdkCall,
  sdkConnector,
  startTestSandbox,
} from '../tools/sandbox-fixtures.js';

interface Row {
  _id: string;
  data: unknown;
  ts: number;
}

let t: TestSandbox;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
let sdk: any;
const clients: MqttClient[] = [];

/** Writes records with given times through the SDK's bulk write (one resource of channel `home`). */
async function writeAt(resource: string, records: Array<[ts: number, data: unknown]>): Promise<void> {
  await sdkCall((cb) => sdk.writeBulk({ channel: 'home', records: records.map(([ts, data]) => ({ resource, data, ts })) }, cb));
}

const read = (params: Record<string, unknown>) => sdkCall<Row[]>((cb) => sdk.read({ channel: 'home', ...params }, cb));

beforeAll(async () => {
  t = await startTestSandbox();
  sdk = sdkConnector(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
});
afterAll(async () => {
  await Promise.all(clients.map(endClient));
  await t.cleanup();
});

describe('statistics and sampling', () => {
  const H = Date.UTC(2026, 0, 5, 10); // an hour boundary, in the past
  const window = { 'start-time': String(H - 3_600_000), 'end-time': String(H + 2 * 3_600_000) };

  it('source=hour-stats and day-stats aggregate the numeric values per UTC hour and day', async () => {
    await writeAt('temp', [
      [H + 60_000, 10],
      [H + 120_000, 20],
      [H + 3_600_000 + 5_000, 30],
    ]);
    const hours = await read({ resource: 'temp', source: 'hour-stats', ...window });
    expect(hours).toEqual([
      { ts: H, data: 15, count: 2, min: 10, max: 20, sum: 30 },
      { ts: H + 3_600_000, data: 30, count: 1, min: 30, max: 30, sum: 30 },
    ]);
    const days = await read({ resource: 'temp', source: 'day-stats', ...window });
    expect(days).toEqual([{ ts: Date.UTC(2026, 0, 5), data: 20, count: 3, min: 10, max: 30, sum: 60 }]);
    const raw = await read({ resource: 'temp', source: 'raw', ...window });
    expect(raw.map((r) => r.data)).toEqual([10, 20, 30]);
  });

  it('a bad source or sample-rate is a 400/1401', async () => {
    for (const query of ['source=minute-stats', 'sample-rate=0', 'sample-rate=x']) {
      const answer = await rest(t.sandbox.urls.http, 'GET', `/v1/data/read/home/temp?${query}`, { token: ALICE_HOME_TOKEN });
      expect(answer.status, query).toBe(400);
      expect(answer.json.error.code, query).toBe(1401);
    }
  });

  it('sample-rate keeps one record in every N of the window, newest first, then limit', async () => {
    const base = Date.UTC(2026, 0, 6, 8);
    await writeAt(
      'note',
      Array.from({ length: 10 }, (_, i) => [base + i * 1000, `n${i + 1}`] as [number, string]),
    );
    const range = { 'start-time': String(base), 'end-time': String(base + 60_000) };
    const sampled = await read({ resource: 'note', 'sample-rate': 3, ...range });
    expect(sampled.map((r) => r.data)).toEqual(['n1', 'n4', 'n7', 'n10']);
    const limited = await read({ resource: 'note', 'sample-rate': 3, limit: 2, ...range });
    expect(limited.map((r) => r.data)).toEqual(['n7', 'n10']);
  });
});

describe('time', () => {
  it('named ranges select calendar periods: this month has a fresh write, last month does not', async () => {
    await sdkCall((cb) => sdk.write({ channel: 'home', resource: 'temp', data: 42 }, cb));
    for (const range of ['today', 'current-week', 'current-month', 'ytd', 'current-year']) {
      expect(
        (await read({ resource: 'temp', 'time-range': range })).map((r) => r.data),
        range,
      ).toContain(42);
    }
    for (const range of ['yesterday', 'last-week', 'last-month', 'last-year']) {
      expect(
        (await read({ resource: 'temp', 'time-range': range })).map((r) => r.data),
        range,
      ).not.toContain(42);
    }
    const bad = await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/temp?time-range=next-week', {
      token: ALICE_HOME_TOKEN,
    });
    expect(bad.json.error.code).toBe(1401);
  });

  it('ts: 0 on a write means the time the sandbox received it, over REST and MQTT', async () => {
    const before = Date.now();
    await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/home/note', {
      token: ALICE_HOME_TOKEN,
      body: { data: 'rest-zero', ts: 0 },
    });
    const device = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
    clients.push(device);
    await publish(device, 'home/note', JSON.stringify({ data: 'mqtt-zero', write: true, ts: 0 }), 1);
    const rows = await read({ resource: 'note', 'time-range': '1hour' });
    for (const data of ['rest-zero', 'mqtt-zero']) {
      const row = rows.find((r) => r.data === data);
      expect(row, data).toBeDefined();
      expect(row!.ts, data).toBeGreaterThanOrEqual(before);
    }
  });
});

describe('stored records', () => {
  it('the SDK updates and deletes a record; the value is checked against the vtype', async () => {
    await sdkCall((cb) => sdk.write({ channel: 'home', resource: 'temp', data: 1.5, ts: Date.UTC(2026, 0, 7) }, cb));
    const window = { 'start-time': String(Date.UTC(2026, 0, 7)), 'end-time': String(Date.UTC(2026, 0, 7, 1)) };
    const [row] = await read({ resource: 'temp', ...window });
    expect(row!.data).toBe(1.5);
    expect(await sdkCall((cb) => sdk.update({ channel: 'home', resource: 'temp', _id: row!._id, data: 2.5 }, cb))).toBe(true);
    expect((await read({ resource: 'temp', ...window })).map((r) => [r._id, r.data, r.ts])).toEqual([[row!._id, 2.5, row!.ts]]);
    await expect(
      sdkCall((cb) => sdk.update({ channel: 'home', resource: 'temp', _id: row!._id, data: 'warm' }, cb)),
    ).rejects.toMatchObject({ error: { code: 1404 } });
    expect(await sdkCall((cb) => sdk.delete({ channel: 'home', resource: 'temp', _id: row!._id }, cb))).toBe(true);
    expect(await read({ resource: 'temp', ...window })).toEqual([]);
    await expect(sdkCall((cb) => sdk.delete({ channel: 'home', resource: 'temp', _id: row!._id }, cb))).rejects.toMatchObject({
      error: { code: 1300 },
    });
  });

  it('update and delete need data:write on the resource, and never reach another account', async () => {
    const [row] = await read({ resource: 'temp', 'time-range': '1hour' });
    const reader = await sdkCall<{ token: string }>((cb) =>
      sdk.createIAMToken({ name: 'reader', acl: [{ action: 'data:read', resource: ['home'] }] }, cb),
    );
    const asReader = await rest(t.sandbox.urls.http, 'DELETE', `/v1/data/delete/home/temp?_id=${row!._id}`, {
      token: reader.token,
    });
    expect(asReader.status).toBe(405);
    const bob = sdkConnector(t.sandbox.urls.http, {
      apiKey: 'bobApiKey000000000000001',
      secretKey: 'bobSecretKey00000000000000000001',
    });
    await expect(sdkCall((cb) => bob.delete({ channel: 'home', resource: 'temp', _id: row!._id }, cb))).rejects.toMatchObject({
      error: { code: 1300 },
    });
    expect((await read({ resource: 'temp', 'time-range': '1hour' })).map((r) => r._id)).toContain(row!._id);
  });
});

describe('public channels', () => {
  it('lists an owner’s public channels without their tokens, and no private channel', async () => {
    const answer = await rest(t.sandbox.urls.http, 'GET', '/v1/public/channels/alice');
    expect(answer.status).toBe(200);
    expect(answer.json.map((c: { name: string }) => c.name)).toEqual(['open']);
    expect(JSON.stringify(answer.json)).not.toContain('token');
    expect((await rest(t.sandbox.urls.http, 'GET', '/v1/public/channels/nobody')).status).toBe(404);
  });
});
