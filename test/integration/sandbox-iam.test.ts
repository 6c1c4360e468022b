/**
 * Sandbox IAM tokens: managed over /v1/iamtokens with the official SDK (the shapes its own tests read), and
 * their ACL enforced on every transport — REST data and admin routes, MQTT, WebSocket — with revocation.
 */
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  ALICE_IAM_TOKEN,
  type TestSandbox,
  closedByServer,
  collect,
  connectMqtt,
  endClient,
  nextMessage,
  publish,
  rest,
  sdkCall,
  sdkConnector,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped CommonJS
const io = createRequire(import.meta.url)('socket.io-client') as (url: string, opts: object) => any;

interface IamDoc {
  _id: string;
  owner: string;
  name: string;
  description: string;
  acl: Array<{ action: string; resource?: string[] }>;
  token: string;
}

let t: TestSandbox;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
let sdk: any;
const clients: MqttClient[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sockets: any[] = [];

/** Creates an IAM token through the SDK, as an app would. */
async function iamToken(acl: IamDoc['acl'], name = 'test token'): Promise<IamDoc> {
  return sdkCall<IamDoc>((cb) => sdk.createIAMToken({ name, description: 'from the test', acl }, cb));
}

async function mqtt(username: string): Promise<MqttClient> {
  const c = await connectMqtt(t.sandbox.urls.mqtt, username);
  clients.push(c);
  return c;
}

const api = (method: string, path: string, token: string, body?: unknown) =>
  rest(t.sandbox.urls.http, method, path, { token, ...(body !== undefined ? { body } : {}) });

beforeAll(async () => {
  t = await startTestSandbox();
  sdk = sdkConnector(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(clients.map(endClient));
  await t.cleanup();
});

describe('/v1/iamtokens with the official SDK (signed requests)', () => {
  it('creates, lists, gets, updates and deletes, in the shapes the SDK tests read', async () => {
    const before = await sdkCall<IamDoc[]>((cb) => sdk.getIAMTokens(cb));
    const created = await iamToken([{ action: 'data:read' }, { action: 'data:write' }, { action: 'admin:beerule:read' }]);
    expect(created).toMatchObject({ owner: 'alice', name: 'test token', description: 'from the test' });
    expect(created.token.startsWith('iamtkn')).toBe(true);
    expect(created.acl.map((r) => r.action)).toEqual(['data:read', 'data:write', 'admin:beerule:read']);
    const scoped = await iamToken([{ action: 'data:read', resource: ['home.*'] }]);
    expect(scoped.acl[0]!.resource).toEqual(['home.*']);

    const listed = await sdkCall<IamDoc[]>((cb) => sdk.getIAMTokens(cb));
    expect(listed).toHaveLength(before.length + 2);
    // the seed's channel-list token is listed with the ACL it stands for
    expect(listed.find((d) => d.token === ALICE_IAM_TOKEN)?.acl).toEqual([
      { action: 'data:read', resource: ['home'] },
      { action: 'data:write', resource: ['home'] },
    ]);

    const got = await sdkCall<IamDoc>((cb) => sdk.getIAMTokenByID(created._id, cb));
    expect(got).toMatchObject({ _id: created._id, owner: 'alice', token: created.token });

    const updated = await sdkCall<IamDoc>((cb) =>
      sdk.updateIAMToken(created._id, [{ action: 'data:write' }, { action: 'admin:beerule:read' }], cb),
    );
    expect(updated).toMatchObject({ _id: created._id, owner: 'alice', token: created.token });
    expect(updated.acl.map((r) => r.action)).toEqual(['data:write', 'admin:beerule:read']);

    await sdkCall((cb) => sdk.deleteIAMToken(created._id, cb));
    expect(await sdkCall<IamDoc[]>((cb) => sdk.getIAMTokens(cb))).toHaveLength(before.length + 1);
    const gone = await api('GET', '/v1/data/read/home/temp', created.token);
    expect(gone.status).toBe(400);
    expect(gone.json.error.code).toBe(1101);
  });

  it('answers 404 for an unknown id and keeps each account to its own tokens', async () => {
    const bob = sdkConnector(t.sandbox.urls.http, {
      apiKey: 'bobApiKey000000000000001',
      secretKey: 'bobSecretKey00000000000000000001',
    });
    const mine = await iamToken([{ action: 'data:read' }]);
    await expect(sdkCall((cb) => bob.getIAMTokenByID(mine._id, cb))).rejects.toMatchObject({ error: { code: 1300 } });
    await expect(sdkCall((cb) => bob.deleteIAMToken(mine._id, cb))).rejects.toMatchObject({ error: { code: 1300 } });
    expect((await sdkCall<IamDoc[]>((cb) => bob.getIAMTokens(cb))).map((d) => d.token)).not.toContain(mine.token);
  });
});

describe('admin scopes', () => {
  it('an IAM token with admin:iam:write manages tokens; the server checks the ACL as the SDK schema does', async () => {
    const admin = await iamToken([{ action: 'admin:iam:read' }, { action: 'admin:iam:write' }, { action: 'data:read' }]);
    const ok = await api('POST', '/v1/iamtokens', admin.token, { name: 'made by a token', acl: [{ action: 'data:read' }] });
    expect(ok.status).toBe(200);
    expect(ok.json.token).toMatch(/^iamtkn_/);
    for (const bad of [
      { name: 'x', acl: [{ action: 'data:read' }] },
      { name: 'no acl', acl: [] },
      { name: 'bad action', acl: [{ action: 'data:delete' }] },
      { name: 'admin on a channel', acl: [{ action: 'admin:channel:read', resource: ['home'] }] },
      { name: 'bad resource', acl: [{ action: 'data:read', resource: ['home/temp'] }] },
    ]) {
      const answer = await api('POST', '/v1/iamtokens', admin.token, bad);
      expect(answer.status, bad.name).toBe(400);
      expect(answer.json.error.code, bad.name).toBe(1403);
    }
  });

  it('channel and connection routes need their admin action; a channel token never gets them', async () => {
    const data = await iamToken([{ action: 'data:read' }, { action: 'data:write' }]);
    const channelReader = await iamToken([{ action: 'admin:channel:read' }, { action: 'admin:connection:read' }]);
    for (const path of ['/v1/channels', '/v1/iamtokens', '/v1/connections']) {
      const refused = await api('GET', path, data.token);
      expect(refused.status, path).toBe(405);
      expect(refused.json.error.code, path).toBe(1102);
      expect((await api('GET', path, ALICE_HOME_TOKEN)).status, path).toBe(405);
    }
    const channels = await api('GET', '/v1/channels', channelReader.token);
    expect(channels.status).toBe(200);
    expect(channels.json.map((c: { name: string }) => c.name)).toContain('home');
    expect((await api('GET', '/v1/connections', channelReader.token)).status).toBe(200);
    const create = await api('POST', '/v1/channels', channelReader.token, { name: 'made', resources: [] });
    expect(create.status).toBe(405);
    expect((await api('DELETE', '/v1/connections/drop/anyone', channelReader.token)).status).toBe(405);
    expect((await api('GET', '/v1/channels/home/token/regenerate', channelReader.token)).status).toBe(405);
    // the SDK's token Connector drives admin routes with an IAM token (it refuses them for a channel token)
    const viaToken = sdkConnector(t.sandbox.urls.http, { token: channelReader.token });
    expect(await sdkCall<{ name: string }>((cb) => viaToken.getChannel('home', cb))).toMatchObject({ name: 'home' });
  });
});

describe('no channel token for a token that may only read channels', () => {
  // A channel's token reads and writes all of its data: handing it to admin:channel:read (a dashboard's
  // token, say) would turn "may list channels" into "may write every channel". Writers still get it.
  it('GET /v1/channels and /v1/channels/:ch leave the token out for admin:channel:read, not from admin:channel:write', async () => {
    const reader = await iamToken([{ action: 'admin:channel:read' }]);
    const one = await api('GET', '/v1/channels/home', reader.token);
    const all = await api('GET', '/v1/channels', reader.token);
    expect(one.status).toBe(200);
    expect(all.status).toBe(200);
    expect(JSON.stringify(one.json)).not.toContain(ALICE_HOME_TOKEN);
    expect(JSON.stringify(all.json)).not.toContain(ALICE_HOME_TOKEN);
    expect(one.json.name).toBe('home');
    expect(one.json).not.toHaveProperty('token');
    const manager = await iamToken([{ action: 'admin:channel:read' }, { action: 'admin:channel:write' }]);
    expect((await api('GET', '/v1/channels/home', manager.token)).json.token).toBe(ALICE_HOME_TOKEN);
    expect((await sdkCall<{ token: string }>((cb) => sdk.getChannel('home', cb))).token).toBe(ALICE_HOME_TOKEN);
  });
});

describe('no privilege escalation through admin:iam:write', () => {
  // A token that may manage IAM tokens may hand out only what it holds itself; the account (signed request)
  // may grant anything. Before this check, an admin:iam token minted a token with every right of the account.
  it('an IAM token grants only rights it holds, on create and on update', async () => {
    const manager = await iamToken([
      { action: 'admin:iam:read' },
      { action: 'admin:iam:write' },
      { action: 'data:read', resource: ['home'] },
      { action: 'data:write', resource: ['home.temp'] },
    ]);
    for (const acl of [
      [{ action: 'data:read' }], // every channel
      [{ action: 'data:read', resource: ['garage'] }],
      [{ action: 'data:read', resource: ['*.temp'] }],
      [{ action: 'data:write', resource: ['home'] }], // it writes home.temp only
      [{ action: 'admin:channel:write' }],
      [{ action: 'admin:connection:read' }],
      [{ action: 'data:read', resource: ['home'] }, { action: 'admin:beerule:write' }],
    ]) {
      const made = await api('POST', '/v1/iamtokens', manager.token, { name: 'escalated', acl });
      expect(made.status, JSON.stringify(acl)).toBe(405);
      expect(made.json.error.code, JSON.stringify(acl)).toBe(1102);
    }
    const fine = await api('POST', '/v1/iamtokens', manager.token, {
      name: 'device token',
      acl: [
        { action: 'data:read', resource: ['home.temp', 'home.*'] },
        { action: 'data:write', resource: ['home.temp'] },
        { action: 'admin:iam:read' },
      ],
    });
    expect(fine.status).toBe(200);
    // update: neither its own token nor another may be widened past the manager's rights
    for (const target of [fine.json._id as string, manager._id]) {
      const widened = await api('PUT', `/v1/iamtokens/${target}`, manager.token, { acl: [{ action: 'data:write' }] });
      expect(widened.status).toBe(405);
      const widenedByPost = await api('POST', `/v1/iamtokens/${target}`, manager.token, {
        _id: target,
        acl: [{ action: 'admin:channel:read' }],
      });
      expect(widenedByPost.status).toBe(405);
    }
    const stored = await sdkCall<IamDoc>((cb) => sdk.getIAMTokenByID(fine.json._id, cb));
    expect(stored.acl.map((r) => r.action)).toEqual(['data:read', 'data:write', 'admin:iam:read']);
    // nothing it was refused exists
    const names = (await sdkCall<IamDoc[]>((cb) => sdk.getIAMTokens(cb))).map((d) => d.name);
    expect(names).not.toContain('escalated');
    // nor may it delete a wider token, or see its value (the value would be the wider rights)
    const wide = await iamToken([{ action: 'data:read' }, { action: 'data:write' }], 'wide');
    const del = await api('DELETE', `/v1/iamtokens/${wide._id}`, manager.token);
    expect(del.status).toBe(405);
    expect(await sdkCall<IamDoc>((cb) => sdk.getIAMTokenByID(wide._id, cb))).toMatchObject({ token: wide.token });
    const seen = await api('GET', '/v1/iamtokens', manager.token);
    expect(JSON.stringify(seen.json)).not.toContain(wide.token);
    expect(JSON.stringify((await api('GET', `/v1/iamtokens/${wide._id}`, manager.token)).json)).not.toContain(wide.token);
    expect(seen.json.find((d: IamDoc) => d._id === fine.json._id).token).toBe(fine.json.token); // its own grant: shown
    expect((await api('DELETE', `/v1/iamtokens/${fine.json._id}`, manager.token)).status).toBe(200);
    // the account itself may still grant anything
    expect((await iamToken([{ action: 'data:write' }, { action: 'admin:channel:write' }])).token).toMatch(/^iamtkn_/);
  });
});

describe('data scopes on REST', () => {
  it('data:read on home.* reads home but neither writes nor reads garage', async () => {
    const reader = await iamToken([{ action: 'data:read', resource: ['home.*'] }]);
    expect((await api('GET', '/v1/data/read/home/temp', reader.token)).status).toBe(200);
    const write = await api('POST', '/v1/data/write/home/temp', reader.token, { data: 1 });
    expect(write.status).toBe(405);
    expect(write.json.error.code).toBe(1102);
    expect((await api('POST', '/v1/data/publish/home/temp', reader.token, { data: 1 })).status).toBe(405);
    expect((await api('GET', '/v1/data/read/garage/door', reader.token)).status).toBe(405);
  });

  it('data:write on home.temp writes that resource only (bulk: all or nothing) and reads nothing', async () => {
    const writer = await iamToken([{ action: 'data:write', resource: ['home.temp'] }]);
    const sdkWriter = sdkConnector(t.sandbox.urls.http, { token: writer.token });
    expect(await sdkCall((cb) => sdkWriter.write({ channel: 'home', resource: 'temp', data: 31.5 }, cb))).toBe(true);
    await expect(sdkCall((cb) => sdkWriter.write({ channel: 'home', resource: 'note', data: 'no' }, cb))).rejects.toMatchObject({
      error: { code: 1102 },
    });
    const bulk = await api('POST', '/v1/data/write/home', writer.token, {
      records: [
        { resource: 'temp', data: 1 },
        { resource: 'note', data: 'no' },
      ],
    });
    expect(bulk.status).toBe(405);
    expect((await api('GET', '/v1/data/read/home/temp', writer.token)).status).toBe(405);
    const stored = await api('GET', '/v1/data/read/home/temp', ALICE_HOME_TOKEN);
    expect(stored.json.map((r: { data: unknown }) => r.data)).toContain(31.5);
    expect(stored.json.map((r: { data: unknown }) => r.data)).not.toContain(1);
  });
});

describe('data scopes on MQTT', () => {
  it('a read-only token subscribes where it may read and is closed when it publishes', async () => {
    const reader = await iamToken([{ action: 'data:read', resource: ['home'] }]);
    const c = await mqtt(reader.token);
    expect(await subscribe(c, 'home/#')).toEqual([0]);
    expect(await subscribe(c, 'garage/door')).toEqual([128]);
    expect(await subscribe(c, '#')).toEqual([128]);
    expect(await subscribe(c, 'signaling/#')).toEqual([128]);
    const closed = closedByServer(c);
    await publish(c, 'home/temp', JSON.stringify({ data: 5 }));
    await closed;
  });

  it('a resource-scoped writer publishes to its resource, and wildcard rules grant wildcard filters', async () => {
    const writer = await iamToken([{ action: 'data:write', resource: ['home.note'] }]);
    const everything = await iamToken([{ action: 'data:read', resource: ['*'] }, { action: 'admin:connection:read' }]);
    const listener = await mqtt(everything.token);
    expect(await subscribe(listener, '#')).toEqual([0]);
    expect(await subscribe(listener, 'signaling/#')).toEqual([0]);
    const w = await mqtt(writer.token);
    expect(await subscribe(w, 'home/note')).toEqual([128]);
    const got = nextMessage(listener, (m) => m.topic === 'home/note');
    await publish(w, 'home/note', JSON.stringify({ data: 'from a writer' }), 1);
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 'from a writer' });
    const closed = closedByServer(w);
    await publish(w, 'home/temp', JSON.stringify({ data: 1 }));
    await closed;
  });
});

describe('data scopes on WebSocket', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped
  function socketFor(token: string): Promise<any> {
    return new Promise((resolve, reject) => {
      const socket = io(t.sandbox.urls.http, {
        query: `token=${token}`,
        forceNew: true,
        reconnection: false,
        transports: ['websocket'],
      });
      sockets.push(socket);
      const timer = setTimeout(() => reject(new Error('socket.io did not connect')), 5000);
      socket.on('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
    });
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped
  function control(socket: any, data: object): Promise<{ event: string }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no control message')), 5000);
      socket.once('control', (m: { event: string }) => {
        clearTimeout(timer);
        resolve(m);
      });
      socket.emit('message', { version: 1, channel: 'control', event: 'subscribe', data });
    });
  }

  it('private reads need data:read, writes need data:write', async () => {
    const reader = await iamToken([{ action: 'data:read', resource: ['home'] }]);
    const s = await socketFor(reader.token);
    expect((await control(s, { channel: 'private-home', resource: 'temp', read: true })).event).toBe('subscribed');
    expect((await control(s, { channel: 'home', resource: 'note', read: true, write: true })).event).toBe('subscribeError');
    expect((await control(s, { channel: 'private-garage', resource: 'door', read: true })).event).toBe('subscribeError');
    const writer = await iamToken([{ action: 'data:write', resource: ['home'] }]);
    const w = await socketFor(writer.token);
    expect((await control(w, { channel: 'home', resource: 'note', read: false, write: true })).event).toBe('subscribed');
    expect((await control(w, { channel: 'private-home', resource: 'note', read: true })).event).toBe('subscribeError');
  });
});

describe('revocation', () => {
  it('deleting an IAM token, or changing its ACL, drops the connections that use it', async () => {
    const doomed = await iamToken([{ action: 'data:read' }]);
    const changed = await iamToken([{ action: 'data:read' }]);
    const a = await mqtt(doomed.token);
    const b = await mqtt(changed.token);
    const seen = collect(b);
    const closedA = closedByServer(a);
    const closedB = closedByServer(b);
    await sdkCall((cb) => sdk.deleteIAMToken(doomed._id, cb));
    await closedA;
    await sdkCall((cb) => sdk.updateIAMToken(changed._id, [{ action: 'data:write' }], cb));
    await closedB;
    expect(seen).toEqual([]);
    const again = await mqtt(changed.token); // same token, new rights: it may publish now, not read
    expect(await subscribe(again, 'home/temp')).toEqual([128]);
  });
});
