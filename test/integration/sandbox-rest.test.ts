/** Sandbox REST v1: the official SDK's signed Connector, token auth, Beebotte error codes, reads, admin routes. */
import { createHash, createHmac } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_GARAGE_TOKEN,
  ALICE_HOME_TOKEN,
  ALICE_IAM_TOKEN,
  BOB,
  type TestSandbox,
  closedByServer,
  connectMqtt,
  connackCode,
  endClient,
  rest,
  sdkCall,
  sdkConnector,
  startTestSandbox,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
const clients: MqttClient[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
let sdk: any;

/** A signed request built here, independently of the sandbox's own code. */
async function signed(method: string, path: string, body?: unknown, opts: { date?: string; secret?: string } = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const md5 = text === undefined ? '' : createHash('md5').update(text).digest('base64');
  const type = text === undefined ? '' : 'application/json';
  const date = opts.date ?? new Date().toUTCString();
  const sig = createHmac('sha1', opts.secret ?? ALICE.secretKey)
    .update(`${method}\n${md5}\n${type}\n${date}\n${path}`)
    .digest('base64');
  const headers: Record<string, string> = { Date: date, Authorization: `${ALICE.apiKey}:${sig}` };
  if (text !== undefined) {
    headers['Content-MD5'] = md5;
    headers['Content-Type'] = type;
  }
  return rest(t.sandbox.urls.http, method, path, { headers, ...(text !== undefined ? { body: text } : {}) });
}

beforeAll(async () => {
  t = await startTestSandbox({ maxBodyBytes: 4096 });
  sdk = sdkConnector(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
});
afterAll(async () => {
  await Promise.all(clients.map(endClient));
  await t.cleanup();
});

describe('the official SDK Connector (signed requests)', () => {
  it('writes, reads, publishes, and bulk-writes', async () => {
    expect(await sdkCall((cb) => sdk.write({ channel: 'home', resource: 'temp', data: 20.5 }, cb))).toBe(true);
    expect(await sdkCall((cb) => sdk.publish({ channel: 'home', resource: 'note', data: 'hello' }, cb))).toBe(true);
    const bulk = await sdkCall<unknown[]>((cb) =>
      sdk.writeBulk(
        {
          channel: 'home',
          records: [
            { resource: 'temp', data: 21 },
            { resource: 'note', data: 'n' },
          ],
        },
        cb,
      ),
    );
    expect(bulk).toHaveLength(2);
    expect(await sdkCall((cb) => sdk.publishBulk({ channel: 'home', records: [{ resource: 'note', data: 'p' }] }, cb))).toBe(
      true,
    );
    const records = await sdkCall<Array<{ data: unknown }>>((cb) =>
      sdk.read({ channel: 'home', resource: 'temp', limit: 5 }, cb),
    );
    expect(records.map((r) => r.data)).toEqual([20.5, 21]);
  });

  it('manages channels and regenerates a token, dropping the old token’s MQTT connections', async () => {
    // Beebotte answers true to add channel (the SDK's own test expects exactly that); the token comes with a GET
    expect(
      await sdkCall((cb) =>
        sdk.addChannel({ name: 'lab', ispublic: false, resources: [{ name: 'level', vtype: 'number' }] }, cb),
      ),
    ).toBe(true);
    const created = await sdkCall<{ name: string; token: string; resources: Array<{ vtype: string }> }>((cb) =>
      sdk.getChannel('lab', cb),
    );
    expect(created).toMatchObject({ name: 'lab', token: expect.stringMatching(/^token_[0-9A-Za-z]{16}$/) });
    expect(created.resources[0]!.vtype).toBe('number');
    const channels = await sdkCall<Array<{ name: string }>>((cb) => sdk.getChannel(cb));
    expect(channels.map((c) => c.name)).toContain('lab');

    const device = await connectMqtt(t.sandbox.urls.mqtt, created.token);
    clients.push(device);
    const closed = closedByServer(device);
    const regenerated = await sdkCall<{ token: string }>((cb) => sdk.regenerateChannelToken('lab', cb));
    expect(regenerated.token).not.toBe(created.token);
    await closed;
    expect(await connackCode(t.sandbox.urls.mqtt, created.token)).toBe(5);
    expect(await connackCode(t.sandbox.urls.mqtt, regenerated.token)).toBe(0);

    expect(await sdkCall((cb) => sdk.deleteChannel('lab', cb))).toBe(true);
    const error = await sdkCall((cb) => sdk.getChannel('lab', cb)).catch((e: unknown) => e);
    expect(error).toMatchObject({ error: { code: 1303 } });
  });

  it('lists and drops connections', async () => {
    const device = await connectMqtt(t.sandbox.urls.mqtt, ALICE_GARAGE_TOKEN, { clientId: 'garage-door-1' });
    clients.push(device);
    const list = await sdkCall<Array<{ userid: string; protocol: string; channel?: string }>>((cb) =>
      sdk.getUserConnections({ userid: 'garage-door-1', protocol: 'mqtt' }, cb),
    );
    // the fields the SDK's own tests read: protocol, clientid and userid (the MQTT client id)
    expect(list).toEqual([
      expect.objectContaining({ userid: 'garage-door-1', clientid: 'garage-door-1', protocol: 'mqtt', channel: 'garage' }),
    ]);
    expect(JSON.stringify(list)).not.toContain(ALICE_GARAGE_TOKEN);
    const closed = closedByServer(device);
    // Beebotte answers an empty body to a drop (the SDK's test expects '')
    expect(await sdkCall((cb) => sdk.dropUserConnection({ userid: 'garage-door-1', protocol: 'mqtt' }, cb))).toBe('');
    await closed;
    expect(await sdkCall<unknown[]>((cb) => sdk.getUserConnections({ userid: 'garage-door-1' }, cb))).toEqual([]);
  });
});

describe('resources with the official SDK, in the shapes its own tests expect', () => {
  it('add resource answers true, get resource carries its channel, a listing is an array', async () => {
    const resource = { name: 'sdkres', label: 'test resource', description: 'some description', vtype: 'string' };
    expect(await sdkCall((cb) => sdk.addResource({ channel: 'garage', resource }, cb))).toBe(true);
    const got = await sdkCall<Record<string, unknown>>((cb) => sdk.getResource({ channel: 'garage', resource: 'sdkres' }, cb));
    expect(got).toMatchObject({ channel: 'garage', name: 'sdkres', vtype: 'string', label: 'test resource' });
    for (const all of ['', '*', undefined]) {
      const list = await sdkCall<unknown[]>((cb) =>
        sdk.getResource({ channel: 'garage', ...(all !== undefined ? { resource: all } : {}) }, cb),
      );
      expect(list).toContainEqual(expect.objectContaining({ channel: 'garage', name: 'sdkres' }));
    }
    expect(await sdkCall((cb) => sdk.deleteResource({ channel: 'garage', resource: 'sdkres' }, cb))).toBe(true);
    await expect(sdkCall((cb) => sdk.getResource({ channel: 'garage', resource: 'sdkres' }, cb))).rejects.toMatchObject({
      error: { code: 1301 },
    });
  });
});

describe('resources over signed REST', () => {
  it('creates, lists, gets and deletes a resource', async () => {
    const made = await signed('POST', '/v1/channels/garage/resources', {
      name: 'light',
      vtype: 'boolean',
      sendOnSubscribe: true,
    });
    expect(made).toMatchObject({ status: 200, json: true }); // as Beebotte answers add resource
    expect((await signed('POST', '/v1/channels/garage/resources', { name: 'light' })).json).toMatchObject({
      error: { code: 1304 },
    });
    expect((await signed('GET', '/v1/channels/garage/resources')).json).toContainEqual(
      expect.objectContaining({ name: 'light' }),
    );
    expect((await signed('GET', '/v1/channels/garage/resources/light')).json).toMatchObject({
      channel: 'garage',
      name: 'light',
      vtype: 'boolean',
      sendOnSubscribe: true,
    });
    expect((await signed('DELETE', '/v1/channels/garage/resources/light')).json).toBe(true);
    expect(await signed('GET', '/v1/channels/garage/resources/light')).toMatchObject({
      status: 404,
      json: { error: { code: 1301 } },
    });
    expect(await signed('POST', '/v1/channels/garage/resources', { name: 'x1', vtype: 'colour' })).toMatchObject({
      status: 400,
      json: { error: { code: 1405 } },
    });
  });
});

describe('authentication and errors', () => {
  it('accepts X-Auth-Token and ?token= with a channel token, and an IAM token', async () => {
    const base = t.sandbox.urls.http;
    expect((await rest(base, 'POST', '/v1/data/publish/home/note', { token: ALICE_HOME_TOKEN, body: { data: 1 } })).json).toBe(
      true,
    );
    expect((await rest(base, 'POST', `/v1/data/publish/home/note?token=${ALICE_HOME_TOKEN}`, { body: { data: 1 } })).json).toBe(
      true,
    );
    expect((await rest(base, 'GET', '/v1/data/read/home/temp', { token: ALICE_IAM_TOKEN })).status).toBe(200);
  });

  it('refuses a bad signature, a stale Date, and missing credentials with 400/1101', async () => {
    expect(await signed('GET', '/v1/channels', undefined, { secret: BOB.secretKey })).toMatchObject({
      status: 400,
      json: { error: { code: 1101 } },
    });
    const stale = new Date(Date.now() - 16 * 60_000).toUTCString();
    expect(await signed('GET', '/v1/channels', undefined, { date: stale })).toMatchObject({
      status: 400,
      json: { error: { code: 1101 } },
    });
    expect(await rest(t.sandbox.urls.http, 'GET', '/v1/channels')).toMatchObject({
      status: 400,
      json: { error: { code: 1101 } },
    });
    expect(await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/temp', { token: 'token_wrong00000000000' })).toMatchObject({
      status: 400,
      json: { error: { code: 1101 } },
    });
  });

  it('refuses a body whose Content-MD5 does not match', async () => {
    const date = new Date().toUTCString();
    const md5 = createHash('md5').update('{"data":1}').digest('base64');
    const sig = createHmac('sha1', ALICE.secretKey)
      .update(`POST\n${md5}\napplication/json\n${date}\n/v1/data/write/home/temp`)
      .digest('base64');
    const res = await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/home/temp', {
      body: '{"data":2}',
      headers: { Date: date, 'Content-MD5': md5, 'Content-Type': 'application/json', Authorization: `${ALICE.apiKey}:${sig}` },
    });
    expect(res).toMatchObject({ status: 400, json: { error: { code: 1101 } } });
  });

  it('refuses a channel token on admin routes and on other channels with 405/1102', async () => {
    const base = t.sandbox.urls.http;
    expect(await rest(base, 'GET', '/v1/channels', { token: ALICE_HOME_TOKEN })).toMatchObject({
      status: 405,
      json: { error: { code: 1102 } },
    });
    expect(await rest(base, 'GET', '/v1/channels/home/token/regenerate', { token: ALICE_HOME_TOKEN })).toMatchObject({
      status: 405,
      json: { error: { code: 1102 } },
    });
    expect(
      await rest(base, 'POST', '/v1/data/write/garage/door', { token: ALICE_HOME_TOKEN, body: { data: 'x' } }),
    ).toMatchObject({ status: 405, json: { error: { code: 1102 } } });
  });

  it('answers Beebotte codes for missing elements, bad values and bad bodies', async () => {
    const base = t.sandbox.urls.http;
    const token = ALICE_HOME_TOKEN;
    expect(await rest(base, 'POST', '/v1/data/write/home/nothere', { token, body: { data: 1 } })).toMatchObject({
      status: 404,
      json: { error: { code: 1301 } },
    });
    expect(await signed('POST', '/v1/data/write/nochannel/x1', { data: 1 })).toMatchObject({
      status: 404,
      json: { error: { code: 1303 } },
    });
    expect(await rest(base, 'POST', '/v1/data/write/home/temp', { token, body: { data: 'warm' } })).toMatchObject({
      status: 400,
      json: { error: { code: 1404 } },
    });
    expect(await rest(base, 'POST', '/v1/data/write/home/temp', { token, body: '{"data":' })).toMatchObject({
      status: 400,
      json: { error: { code: 1401 } },
    });
    expect(await rest(base, 'POST', '/v1/data/publish/home/note', { token, body: { nodata: 1 } })).toMatchObject({
      status: 400,
      json: { error: { code: 1403 } },
    });
    expect(await rest(base, 'GET', '/v1/data/read/home/temp?limit=0', { token })).toMatchObject({
      status: 400,
      json: { error: { code: 1401 } },
    });
    expect(await rest(base, 'GET', '/v1/nothing/here', { token })).toMatchObject({
      status: 404,
      json: { error: { code: 1302 } },
    });
  });

  it('answers an oversized body with 400/1406 and keeps serving', async () => {
    const base = t.sandbox.urls.http;
    const res = await rest(base, 'POST', '/v1/data/publish/home/note', {
      token: ALICE_HOME_TOKEN,
      body: { data: 'x'.repeat(10_000) },
    });
    expect(res).toMatchObject({ status: 400, json: { error: { code: 1406 } } });
    expect((await rest(base, 'POST', '/v1/data/publish/home/note', { token: ALICE_HOME_TOKEN, body: { data: 'ok' } })).json).toBe(
      true,
    );
  });

  it('bulk writes are all or nothing', async () => {
    const before = (await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/note', { token: ALICE_HOME_TOKEN }))
      .json as unknown[];
    const res = await signed('POST', '/v1/data/write/home', {
      records: [
        { resource: 'note', data: 'a' },
        { resource: 'missing', data: 'b' },
      ],
    });
    expect(res).toMatchObject({ status: 404, json: { error: { code: 1301 } } });
    expect((await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/note', { token: ALICE_HOME_TOKEN })).json).toEqual(before);
  });
});

describe('reading', () => {
  it('honours limit, time-range, start-time and end-time', async () => {
    const now = Date.now();
    const ts = [now - 3 * 86_400_000, now - 2 * 3_600_000, now - 10 * 60_000];
    await signed('POST', '/v1/channels', { name: 'hist', resources: [{ name: 'value', vtype: 'number' }] });
    await signed('POST', '/v1/data/write/hist', { records: ts.map((x, i) => ({ resource: 'value', data: i, ts: x })) });
    const read = async (query: string) =>
      ((await signed('GET', `/v1/data/read/hist/value${query}`)).json as Array<{ data: number }>).map((r) => r.data);
    expect(await read('')).toEqual([0, 1, 2]);
    expect(await read('?limit=1')).toEqual([2]);
    expect(await read('?time-range=1hour')).toEqual([2]);
    expect(await read('?time-range=6hour')).toEqual([1, 2]);
    expect(await read('?time-range=1week')).toEqual([0, 1, 2]);
    const start = new Date(now - 4 * 86_400_000).toISOString();
    const end = new Date(now - 3_600_000).toISOString();
    expect(await read(`?start-time=${encodeURIComponent(start)}&end-time=${encodeURIComponent(end)}`)).toEqual([0, 1]);
    expect((await signed('GET', '/v1/data/read/hist/value?time-range=fortnight')).json).toMatchObject({ error: { code: 1401 } });
  });

  it('public reads work for public channels only', async () => {
    await signed('POST', '/v1/data/write/open/value', { data: 'visible' });
    const ok = await rest(t.sandbox.urls.http, 'GET', '/v1/public/data/read/alice/open/value');
    expect(ok.json).toEqual([expect.objectContaining({ data: 'visible' })]);
    expect((await rest(t.sandbox.urls.http, 'GET', '/v1/public/data/read/alice/home/temp')).status).toBe(404);
  });
});
