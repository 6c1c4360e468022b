/**
 * Sandbox Beerules: managed over /v1/beerules with the official SDK (the calls and shapes of its own tests),
 * IAM scopes (admin:beerule:read|write, and no rule beyond the token's own data rights), triggers fired by
 * real MQTT publishes, REST writes and MQTT connects/disconnects, actions seen by real subscribers, accounts
 * kept apart, and a rule that retriggers itself stopped after a bounded chain.
 */
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BEERULES } from '../../electron/sandbox/beerules.js';
import { MAX_CHAIN_ACTIONS, MAX_CHAIN_DEPTH } from '../../electron/sandbox/beerules-runner.js';
import {
  ALICE,
  ALICE_GARAGE_TOKEN,
  ALICE_HOME_TOKEN,
  BOB,
  BOB_HOME_TOKEN,
  type Received,
  type TestSandbox,
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

interface Rule {
  _id: string;
  owner: string;
  name: string;
  enabled: boolean;
  trigger: { event: string; channel: string; resource: string };
  condition?: string;
  action: Record<string, unknown> & { type: string };
}
interface Run {
  source: string;
  outcome: string;
  condition?: boolean;
  action?: Record<string, unknown>;
  error?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped CommonJS
const io = createRequire(import.meta.url)('socket.io-client') as (url: string, opts: object) => any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sockets: any[] = [];

/** A WebSocket client of the sandbox, once connected (bounded). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function socket(query: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const s = io(t.sandbox.urls.http, { query, forceNew: true, reconnection: false, transports: ['websocket'] });
    sockets.push(s);
    const timer = setTimeout(() => reject(new Error('socket.io did not connect')), 5000);
    s.on('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
  });
}

/** Sends a control subscribe and resolves with the answer's event (subscribed / subscribeError). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function control(s: any, data: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no control answer')), 5000);
    s.once('control', (m: { event: string }) => {
      clearTimeout(timer);
      resolve(m.event);
    });
    s.emit('message', { version: 1, channel: 'control', event: 'subscribe', data });
  });
}

let t: TestSandbox;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
let alice: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let bob: any;
const clients: MqttClient[] = [];

const create = (sdk: typeof alice, rule: object) => sdkCall<Rule>((cb) => sdk.createBeerule(rule, cb));
const list = (sdk: typeof alice, query?: object) =>
  sdkCall<Rule[]>((cb) => (query ? sdk.getBeerules(query, cb) : sdk.getBeerules(cb)));
const api = (method: string, path: string, token: string, body?: unknown) =>
  rest(t.sandbox.urls.http, method, path, { token, ...(body !== undefined ? { body } : {}) });

async function iamToken(acl: Array<{ action: string; resource?: string[] }>): Promise<string> {
  const doc = await sdkCall<{ token: string }>((cb) => alice.createIAMToken({ name: 'rules test', acl }, cb));
  return doc.token;
}

/** The rule's run log, read back over REST with an IAM token that may read rules. */
async function runs(id: string, token: string): Promise<Run[]> {
  const answer = await api('GET', `/v1/beerules/${id}/runs`, token);
  expect(answer.status).toBe(200);
  return answer.json as Run[];
}

/** Polls (bounded) until the predicate holds on the rule's runs. */
async function runsUntil(id: string, token: string, done: (r: Run[]) => boolean): Promise<Run[]> {
  for (let i = 0; i < 100; i++) {
    const r = await runs(id, token);
    if (done(r)) return r;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the runs of ${id} never matched`);
}

async function mqtt(username: string, clientId?: string): Promise<MqttClient> {
  const c = await connectMqtt(t.sandbox.urls.mqtt, username, clientId ? { clientId } : {});
  clients.push(c);
  return c;
}

const json = (m: Received) => JSON.parse(m.payload.toString()) as { data: unknown };

let reader: string;

beforeAll(async () => {
  t = await startTestSandbox();
  alice = sdkConnector(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
  bob = sdkConnector(t.sandbox.urls.http, { apiKey: BOB.apiKey, secretKey: BOB.secretKey });
  // reads rules and, as a rule's runs carry the data it read, data on every channel
  reader = await iamToken([{ action: 'admin:beerule:read' }, { action: 'data:read' }]);
});
afterEach(async () => {
  for (const sdk of [alice, bob]) for (const r of await list(sdk)) await sdkCall((cb) => sdk.deleteBeerule(r._id, cb));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(clients.map(endClient));
  await t.cleanup();
});

const trigger = (event: string, channel = 'channeltest', resource = 'res1') => ({ event, channel, resource });
const SDK_RULES = [
  {
    name: 'pub beerule',
    trigger: trigger('publish'),
    condition: 'channeltest.res1 > 0',
    action: { type: 'publish', channel: 'channeltest1', resource: 'res1' },
  },
  {
    name: 'pub value',
    trigger: trigger('write', 'channeltest', '*'),
    action: { type: 'publish', channel: 'channeltest1', resource: 'res1', value: 'channeltest.res1 + 30' },
  },
  { name: 'write beerule', trigger: trigger('write'), action: { type: 'write', channel: 'channeltest1', resource: 'res2' } },
  { name: 'sms beerule', trigger: trigger('connect', '*', 'res1'), action: { type: 'sms', to: '+33600000000' } },
  { name: 'email beerule', trigger: trigger('write'), action: { type: 'email', to: 'someone@example.com' } },
  { name: 'webhook beerule', trigger: trigger('write'), action: { type: 'webhook', endpoint: 'https://example.com/hook' } },
  { name: 'fcm beerule', trigger: trigger('write'), action: { type: 'fcm', serverKey: 'k', to: '/topics/t', isTopic: true } },
];

describe('/v1/beerules with the official SDK', () => {
  it('creates every action type, lists and filters as its tests expect, gets, disables and deletes', async () => {
    for (const rule of SDK_RULES) {
      const doc = await create(alice, { description: 'from the test', ...rule });
      expect(doc).toMatchObject({ owner: 'alice', name: rule.name, enabled: true, action: { type: rule.action.type } });
    }
    expect(await list(alice)).toHaveLength(SDK_RULES.length);
    expect(await list(alice, {})).toHaveLength(SDK_RULES.length);
    expect(await list(alice, { type: 'publish' })).toHaveLength(2);
    expect(await list(alice, { type: 'publish', event: 'write' })).toHaveLength(1);
    expect(await list(alice, { event: 'write' })).toHaveLength(5);
    // a * trigger matches the channel or resource asked for (the SDK's tests count every rule here)
    expect(await list(alice, { channel: 'channeltest' })).toHaveLength(SDK_RULES.length);
    expect(await list(alice, { resource: 'res1' })).toHaveLength(SDK_RULES.length);
    expect(await list(bob)).toHaveLength(0); // another account's rules are not listed

    const email = (await list(alice, { type: 'email' }))[0]!;
    const got = await sdkCall<Rule>((cb) => alice.getBeerule(email._id, cb));
    expect(got).toMatchObject({ _id: email._id, owner: 'alice', action: { type: 'email' } });
    await expect(sdkCall((cb) => alice.getBeerule('fakeid', cb))).rejects.toBeTruthy();
    await expect(sdkCall((cb) => bob.getBeerule(email._id, cb))).rejects.toBeTruthy(); // not bob's

    const disabled = await sdkCall<Rule>((cb) => alice.setBeeruleStatus(email._id, false, cb));
    expect(disabled).toMatchObject({ _id: email._id, enabled: false });
    await expect(
      sdkCall((cb) => alice.invokeBeerule(email._id, { channel: 'channeltest', resource: 'res1', data: 123 }, cb)),
    ).rejects.toBeTruthy();

    await sdkCall((cb) => alice.deleteBeerule(email._id, cb));
    expect(await list(alice)).toHaveLength(SDK_RULES.length - 1);
  });

  it('refuses what the SDK tests say the cloud refuses: * for both channel and resource, another owner', async () => {
    const wild = { name: 'email notif', trigger: trigger('write', '*', '*'), action: { type: 'email', to: 'a@example.com' } };
    await expect(create(alice, wild)).rejects.toMatchObject({ error: { code: 1403 } });
    const owned = { ...wild, owner: 'bob', trigger: trigger('write') };
    await expect(create(alice, owned)).rejects.toMatchObject({ error: { code: 1403 } });
    const badCondition = { ...wild, trigger: trigger('write'), condition: 'home.temp >' };
    await expect(create(alice, badCondition)).rejects.toMatchObject({ error: { code: 1403 } });
  });

  it('invokes a rule: the action runs, a channel other than the trigger’s is refused', async () => {
    const sub = await mqtt(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    const rule = await create(alice, {
      name: 'invoked',
      trigger: trigger('publish', 'home', '*'),
      action: { type: 'publish', channel: 'home', resource: 'note', value: "'invoked with ' + data" },
    });
    const arrived = nextMessage(sub, (m) => m.topic === 'home/note');
    const run = await sdkCall<Run>((cb) => alice.invokeBeerule(rule._id, { channel: 'home', resource: 'temp', data: 7 }, cb));
    expect(run).toMatchObject({ source: 'invoke', outcome: 'done' });
    expect(json(await arrived).data).toBe('invoked with 7');
    await expect(
      sdkCall((cb) => alice.invokeBeerule(rule._id, { channel: 'notexist', resource: 'temp', data: 1 }, cb)),
    ).rejects.toBeTruthy();
  });
});

describe('hostile bodies', () => {
  it('answers 4xx, never 5xx, to malformed rules and invocations, and stores none of them', async () => {
    const token = await iamToken([
      { action: 'admin:beerule:write' },
      { action: 'admin:beerule:read' },
      { action: 'data:read' },
      { action: 'data:write' },
    ]);
    const good = {
      name: 'ok rule',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'publish', channel: 'home', resource: 'note' },
    };
    const bodies: unknown[] = [
      null,
      [],
      'text',
      {},
      { ...good, name: 'x' },
      { ...good, name: 'y'.repeat(49) },
      { ...good, extra: 1 },
      JSON.parse(
        '{"name":"proto","__proto__":{"admin":true},"trigger":{"event":"write","channel":"home","resource":"temp"},"action":{"type":"publish","channel":"home","resource":"note"}}',
      ),
      { ...good, trigger: { ...good.trigger, event: 'constructor' } },
      { ...good, trigger: { ...good.trigger, channel: 'bob/home' } },
      { ...good, trigger: { ...good.trigger, channel: 'h'.repeat(65) } },
      { ...good, action: { ...good.action, channel: '../bob' } },
      { ...good, action: { ...good.action, channel: 'private-' } },
      { ...good, action: { ...good.action, value: 'a'.repeat(600) } },
      { ...good, action: { ...good.action, value: ['data'] } },
      { ...good, action: { type: 'webhook', endpoint: 'file:///etc/passwd' } },
      { ...good, condition: 42 },
      { ...good, condition: '(((((((((((((((((((((((((((((((((((((((((1))))))))))))))))))))))))))))))))))))))))' },
    ];
    for (const body of bodies) {
      const answer = await api('POST', '/v1/beerules/publish', token, body);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBeLessThan(500);
    }
    expect((await api('GET', '/v1/beerules', token)).json).toEqual([]);
    const made = await api('POST', '/v1/beerules/publish', token, good);
    for (const body of [
      null,
      {},
      { channel: 'home' },
      { channel: 'home', resource: 'temp', extra: 1 },
      { channel: 7, resource: 'temp' },
    ]) {
      const answer = await api('POST', `/v1/beerules/${made.json._id}/invoke`, token, body);
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
    expect((await api('POST', `/v1/beerules/${made.json._id}/setstatus`, token, { enabled: 'no' })).status).toBe(400);
    expect((await api('DELETE', '/v1/beerules/nosuchrule', token)).status).toBe(404);
  });

  it(`an account keeps at most ${MAX_BEERULES} Beerules (each runs on every matching message): one more is refused`, async () => {
    const token = await iamToken([
      { action: 'admin:beerule:write' },
      { action: 'admin:beerule:read' },
      { action: 'data:read', resource: ['home'] },
    ]);
    const rule = (i: number) => ({
      name: `hook ${i}`,
      trigger: trigger('write', 'home', 'temp'),
      condition: 'data > 1000',
      action: { type: 'webhook', endpoint: 'https://example.com/hook' },
    });
    for (let i = 0; i < MAX_BEERULES; i++) expect((await api('POST', '/v1/beerules/webhook', token, rule(i))).status).toBe(200);
    const over = await api('POST', '/v1/beerules/webhook', token, rule(MAX_BEERULES));
    expect(over.status).toBe(400);
    expect(over.json.error.message).toContain(`at most ${MAX_BEERULES} Beerules`);
    expect((await api('GET', '/v1/beerules', token)).json).toHaveLength(MAX_BEERULES);
    // another account is not held back by this one's rules
    await expect(create(bob, { ...rule(0), name: 'bob hook' })).resolves.toMatchObject({ owner: 'bob' });
  });
});

describe('triggers', () => {
  it('an MQTT publish fires a publish rule whose condition holds; the runs say why another did not', async () => {
    const sub = await mqtt(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    const rule = await create(alice, {
      name: 'too hot',
      trigger: trigger('publish', 'home', 'temp'),
      condition: 'home.temp > 25',
      action: { type: 'publish', channel: 'home', resource: 'note', value: "'hot: ' + data" },
    });
    const device = await mqtt(ALICE_HOME_TOKEN);
    await publish(device, 'home/temp', JSON.stringify({ data: 20 }), 1);
    await publish(device, 'home/temp', JSON.stringify({ data: 30 }), 1);
    expect(json(await nextMessage(sub, (m) => m.topic === 'home/note')).data).toBe('hot: 30');
    const log = await runsUntil(rule._id, reader, (r) => r.length >= 2);
    expect(log.map((r) => r.outcome)).toEqual(['done', 'condition-false']); // newest first
  });

  it('a REST write fires a write rule whose write action is stored and reaches MQTT', async () => {
    const sub = await mqtt(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    await create(alice, {
      name: 'log it',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'write', channel: 'home', resource: 'note', value: "'temp was ' + home.temp" },
    });
    const arrived = nextMessage(sub, (m) => m.topic === 'home/note');
    expect((await api('POST', '/v1/data/write/home/temp', ALICE_HOME_TOKEN, { data: 21 })).status).toBe(200);
    expect(json(await arrived).data).toBe('temp was 21');
    const stored = await api('GET', '/v1/data/read/home/note?limit=1', ALICE_HOME_TOKEN);
    expect(stored.json[0].data).toBe('temp was 21');
  });

  it('MQTT connect and disconnect fire connect and disconnect rules with the client id', async () => {
    const sub = await mqtt(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    for (const event of ['connect', 'disconnect']) {
      await create(alice, {
        name: `on ${event}`,
        trigger: trigger(event, 'home', '*'),
        action: { type: 'publish', channel: 'home', resource: 'note', value: `'${event} ' + clientid` },
      });
    }
    const connected = nextMessage(sub, (m) => m.topic === 'home/note' && json(m).data === 'connect sensor-7');
    const device = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN, { clientId: 'sensor-7' });
    await connected;
    const gone = nextMessage(sub, (m) => m.topic === 'home/note' && json(m).data === 'disconnect sensor-7');
    await endClient(device);
    await gone;
  });

  it('a WebSocket write and a presence join fire write and join rules', async () => {
    const sub = await mqtt(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    await create(alice, {
      name: 'ws write',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'publish', channel: 'home', resource: 'note', value: "'ws wrote ' + data" },
    });
    await create(alice, {
      name: 'on join',
      trigger: trigger('join', 'home', '*'),
      action: { type: 'publish', channel: 'home', resource: 'note', value: "'joined ' + clientid" },
    });
    const wrote = nextMessage(sub, (m) => m.topic === 'home/note' && json(m).data === 'ws wrote 12');
    const writer = await socket(`token=${ALICE_HOME_TOKEN}`);
    expect(await control(writer, { channel: 'home', resource: 'temp', write: true, token: ALICE_HOME_TOKEN })).toBe('subscribed');
    writer.emit('message', {
      version: 1,
      channel: 'stream',
      event: 'write',
      data: { channel: 'home', resource: 'temp', data: 12 },
    });
    await wrote;
    const joined = nextMessage(sub, (m) => m.topic === 'home/note' && json(m).data === 'joined kiosk-1');
    const kiosk = await socket(`token=${ALICE_HOME_TOKEN}&userid=kiosk-1`);
    expect(await control(kiosk, { channel: 'presence-home', resource: '*', read: true, token: ALICE_HOME_TOKEN })).toBe(
      'subscribed',
    );
    await joined;
  });

  it('webhook, email and FCM actions are recorded in the run log, not sent, and without the FCM server key', async () => {
    const hook = await create(alice, {
      name: 'hook',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'webhook', endpoint: 'https://example.com/h' },
    });
    const fcm = await create(alice, {
      name: 'push',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'fcm', serverKey: 'secret-server-key', to: '/topics/x' },
    });
    await api('POST', '/v1/data/write/home/temp', ALICE_HOME_TOKEN, { data: 5 });
    const [hookRun] = await runsUntil(hook._id, reader, (r) => r.length > 0);
    expect(hookRun).toMatchObject({
      outcome: 'recorded',
      action: { type: 'webhook', endpoint: 'https://example.com/h', sent: false, data: 5 },
    });
    const [fcmRun] = await runsUntil(fcm._id, reader, (r) => r.length > 0);
    expect(fcmRun).toMatchObject({ outcome: 'recorded', action: { type: 'fcm', to: '/topics/x' } });
    expect(JSON.stringify(fcmRun)).not.toContain('secret-server-key');
  });
});

describe('IAM scopes', () => {
  const rule = {
    name: 'scoped',
    trigger: trigger('write', 'home', 'temp'),
    action: { type: 'publish', channel: 'home', resource: 'note' },
  };

  it('admin:beerule:read lists but cannot create; no beerule scope or a channel token cannot list', async () => {
    expect((await api('GET', '/v1/beerules', reader)).status).toBe(200);
    expect((await api('POST', '/v1/beerules/publish', reader, rule)).json.error.code).toBe(1102);
    const other = await iamToken([{ action: 'admin:channel:read' }]);
    expect((await api('GET', '/v1/beerules', other)).json.error.code).toBe(1102);
    expect((await api('GET', '/v1/beerules', ALICE_HOME_TOKEN)).json.error.code).toBe(1102);
  });

  it('a token that may only read rules is not given an FCM action’s server key (a secret of the account)', async () => {
    const fcm = await create(alice, {
      name: 'push',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'fcm', serverKey: 'fcm-server-secret', to: '/topics/x' },
    });
    const one = await api('GET', `/v1/beerules/${fcm._id}`, reader);
    const all = await api('GET', '/v1/beerules', reader);
    expect(one.status).toBe(200);
    expect(all.status).toBe(200);
    expect(JSON.stringify(one.json)).not.toContain('fcm-server-secret');
    expect(JSON.stringify(all.json)).not.toContain('fcm-server-secret');
    expect((one.json as Rule).action).toMatchObject({ type: 'fcm', to: '/topics/x', serverKey: '(hidden)' });
    // the account itself (and a token that may write rules) still reads it back, to edit the rule
    const own = (await list(alice)).find((r) => r._id === fcm._id);
    expect(own!.action.serverKey).toBe('fcm-server-secret');
    const writer = await iamToken([
      { action: 'admin:beerule:read' },
      { action: 'admin:beerule:write' },
      { action: 'data:read' },
      { action: 'data:write' },
    ]);
    expect(((await api('GET', `/v1/beerules/${fcm._id}`, writer)).json as Rule).action.serverKey).toBe('fcm-server-secret');
  });

  it('admin:beerule:write makes, changes and invokes rules only within the token’s own data rights', async () => {
    const writer = await iamToken([
      { action: 'admin:beerule:write' },
      { action: 'data:read', resource: ['home'] },
      { action: 'data:write', resource: ['home'] },
    ]);
    const made = await api('POST', '/v1/beerules/publish', writer, rule);
    expect(made.status).toBe(200);
    expect(made.json).toMatchObject({ owner: 'alice', enabled: true });
    const changed = await api('PUT', `/v1/beerules/${made.json._id}`, writer, { ...rule, name: 'renamed' });
    expect(changed.json).toMatchObject({ _id: made.json._id, name: 'renamed' });
    // it may not write where it cannot, nor read (and so copy) a channel it cannot read
    const writesGarage = { ...rule, action: { type: 'write', channel: 'garage', resource: 'door' } };
    expect((await api('POST', '/v1/beerules/write', writer, writesGarage)).json.error.code).toBe(1102);
    const readsGarage = { ...rule, trigger: trigger('write', 'garage', 'door') };
    expect((await api('POST', '/v1/beerules/publish', writer, readsGarage)).json.error.code).toBe(1102);
    const peeks = { ...rule, condition: "garage.door == 'open'" };
    expect((await api('POST', '/v1/beerules/publish', writer, peeks)).json.error.code).toBe(1102);
    // nor invoke a rule the account made that writes elsewhere
    const accountRule = await create(alice, { ...writesGarage, name: 'account made' });
    const invoked = await api('POST', `/v1/beerules/${accountRule._id}/invoke`, writer, {
      channel: 'home',
      resource: 'temp',
      data: 'open',
    });
    expect(invoked.json.error.code).toBe(1102);
  });

  it('a token that may read rules is not shown the data in the runs of a rule that reads where it may not', async () => {
    const watcher = await mqtt(ALICE_GARAGE_TOKEN);
    await subscribe(watcher, 'garage/door');
    const rule = await create(alice, {
      name: 'garage hook',
      trigger: trigger('write', 'garage', 'door'),
      action: { type: 'webhook', endpoint: 'https://example.com/hook' },
    });
    const seen = nextMessage(watcher, (m) => m.topic === 'garage/door');
    expect((await api('POST', '/v1/data/write/garage/door', ALICE_GARAGE_TOKEN, { data: 'code 4711' })).status).toBe(200);
    await seen;
    // the account and a token that may read garage see the run and the door's data in it
    const homeOnly = await iamToken([{ action: 'admin:beerule:read' }, { action: 'data:read', resource: ['home'] }]);
    const garage = await iamToken([{ action: 'admin:beerule:read' }, { action: 'data:read', resource: ['garage'] }]);
    const logged = await runsUntil(rule._id, garage, (r) => r.length === 1);
    expect(logged[0]!.action).toMatchObject({ type: 'webhook', data: 'code 4711' });
    // a token without data:read on garage lists the rule but does not read its runs (they carry garage's data)
    expect((await api('GET', '/v1/beerules', homeOnly)).status).toBe(200);
    const refused = await api('GET', `/v1/beerules/${rule._id}/runs`, homeOnly);
    expect(refused.status).toBe(405);
    expect(refused.json.error.code).toBe(1102);
    expect(JSON.stringify(refused.json)).not.toContain('4711');
  });
});

describe('isolation and loops', () => {
  it("one account's rule never fires on, nor publishes into, another account", async () => {
    const aliceSub = await mqtt(ALICE_HOME_TOKEN);
    const bobSub = await mqtt(BOB_HOME_TOKEN);
    await subscribe(aliceSub, 'home/note');
    await subscribe(bobSub, 'home/note');
    const aliceSaw = collect(aliceSub);
    const bobRule = await create(bob, {
      name: 'bob routes',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'publish', channel: 'home', resource: 'note', value: "'bob saw ' + data" },
    });
    // alice writes the same channel and resource names: bob's rule does not see it
    await api('POST', '/v1/data/write/home/temp', ALICE_HOME_TOKEN, { data: 1 });
    // bob's write fires bob's rule, whose action reaches bob only
    const bobGot = nextMessage(bobSub, (m) => m.topic === 'home/note');
    await api('POST', '/v1/data/write/home/temp', BOB_HOME_TOKEN, { data: 2 });
    expect(json(await bobGot).data).toBe('bob saw 2');
    const marker = nextMessage(aliceSub, (m) => m.topic === 'home/note' && json(m).data === 'marker');
    await api('POST', '/v1/data/publish/home/note', ALICE_HOME_TOKEN, { data: 'marker' });
    await marker;
    expect(aliceSaw.map((m) => json(m).data)).toEqual(['marker']);
    const bobReader = (
      await sdkCall<{ token: string }>((cb) =>
        bob.createIAMToken({ name: 'rr', acl: [{ action: 'admin:beerule:read' }, { action: 'data:read' }] }, cb),
      )
    ).token;
    expect((await runs(bobRule._id, bobReader)).map((r) => r.outcome)).toEqual(['done']);
    expect((await api('GET', `/v1/beerules/${bobRule._id}/runs`, reader)).status).toBe(404); // alice cannot read bob's
  });

  it(`a rule that retriggers itself stops after ${MAX_CHAIN_DEPTH} chained actions`, async () => {
    const rule = await create(alice, {
      name: 'feeds itself',
      trigger: trigger('write', 'home', 'temp'),
      action: { type: 'write', channel: 'home', resource: 'temp', value: 'home.temp + 1' },
    });
    await api('POST', '/v1/data/write/home/temp', ALICE_HOME_TOKEN, { data: 100 });
    const log = await runsUntil(rule._id, reader, (r) => r.some((x) => x.outcome === 'chain-limit'));
    expect(log.filter((r) => r.outcome === 'done')).toHaveLength(MAX_CHAIN_DEPTH);
    const stored = await api('GET', `/v1/data/read/home/temp?limit=${MAX_CHAIN_DEPTH + 1}`, ALICE_HOME_TOKEN);
    expect(stored.json.map((r: { data: number }) => r.data).sort((a: number, b: number) => a - b)).toEqual(
      Array.from({ length: MAX_CHAIN_DEPTH + 1 }, (_, i) => 100 + i),
    );
    // and it stays stopped: nothing runs after the limit
    expect((await runs(rule._id, reader)).length).toBe(MAX_CHAIN_DEPTH + 1);
  });

  it(`rules that multiply each other's messages stop after ${MAX_CHAIN_ACTIONS} actions for one triggering write`, async () => {
    const made: Rule[] = [];
    for (const n of [1, 2, 3]) {
      made.push(
        await create(alice, {
          name: `fan ${n}`,
          trigger: trigger('write', 'home', 'temp'),
          action: { type: 'write', channel: 'home', resource: 'temp', value: `home.temp + ${n}` },
        }),
      );
    }
    await api('POST', '/v1/data/write/home/temp', ALICE_HOME_TOKEN, { data: 1 });
    // 3 rules, each write retriggering all 3: without the budget 3 + 9 + 27 + 81 + 243 actions
    const all = async () => (await Promise.all(made.map((r) => runs(r._id, reader)))).flat();
    for (let i = 0; i < 100 && !(await all()).some((r) => r.outcome === 'chain-limit'); i++)
      await new Promise((r) => setTimeout(r, 50));
    const done = (await all()).filter((r) => r.outcome === 'done');
    expect(done.length).toBe(MAX_CHAIN_ACTIONS);
  });
});
