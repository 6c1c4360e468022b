/** Sandbox payload semantics and the bridge: write, ispublic, raw relay, sendOnSubscribe, REST↔MQTT↔WebSocket, signaling. */
import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type SdkStream,
  type TestSandbox,
  closedByServer,
  collect,
  connectMqtt,
  endClient,
  nextMessage,
  openSdkStream,
  portOf,
  publish,
  rest,
  run,
  socketioTransport,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
const mqttClients: MqttClient[] = [];
const streams: SdkStream[] = [];
async function client(username: string): Promise<MqttClient> {
  const c = await connectMqtt(t.sandbox.urls.mqtt, username);
  mqttClients.push(c);
  return c;
}
async function stream(credentials: Record<string, string>): Promise<SdkStream> {
  const s = await openSdkStream(socketioTransport(t.sandbox.urls.http, credentials));
  streams.push(s);
  return s;
}
const read = (channel: string, resource: string) =>
  rest(t.sandbox.urls.http, 'GET', `/v1/data/read/${channel}/${resource}`, { token: ALICE_HOME_TOKEN });

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  for (const s of streams) s.close();
  await Promise.all(mqttClients.map(endClient));
  await t.cleanup();
});

describe('MQTT payloads', () => {
  it('{"data":…,"write":true} persists the value to the resource', async () => {
    const c = await client(ALICE_HOME_TOKEN);
    await publish(c, 'home/temp', JSON.stringify({ data: 22.5, write: true, ts: 1_700_000_000_000 }), 1);
    const { status, json } = await read('home', 'temp');
    expect(status).toBe(200);
    expect(json).toEqual([expect.objectContaining({ data: 22.5, ts: 1_700_000_000_000 })]);
  });

  it('a publish without write is not persisted', async () => {
    const c = await client(ALICE_HOME_TOKEN);
    await publish(c, 'home/note', JSON.stringify({ data: 'transient' }), 1);
    expect((await read('home', 'note')).json).toEqual([]);
  });

  it('writing to a missing resource or channel closes the connection', async () => {
    const c = await client(ALICE_HOME_TOKEN);
    const closed = closedByServer(c);
    c.publish('home/nosuchresource', JSON.stringify({ data: 1, write: true }), { qos: 1 });
    await closed;
    const k = await client(ALICE.secretKey);
    const closed2 = closedByServer(k);
    k.publish('nosuchchannel/value', JSON.stringify({ data: 1, write: true }), { qos: 1 });
    await closed2;
  });

  it('non-JSON payloads are relayed byte for byte, neither persisted nor bridged', async () => {
    const sub = await client(ALICE.secretKey);
    await subscribe(sub, 'home/note', 1);
    const ws = await stream({ apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    await ws.subscribe('private-home', 'note');
    const bytes = Buffer.from([0xff, 0x00, 0x7b, 0x22, 0xc3, 0x28, 0x0a]);
    const pub = await client(ALICE_HOME_TOKEN);
    const got = nextMessage(sub, (m) => m.topic === 'home/note');
    await publish(pub, 'home/note', bytes, 1);
    expect((await got).payload.equals(bytes)).toBe(true);
    // a bridged sentinel after it: once the WebSocket sees it, the raw one would have arrived before
    await publish(pub, 'home/note', JSON.stringify({ data: 'sentinel' }), 1);
    await ws.next((m) => m.data === 'sentinel');
    expect(ws.messages.map((m) => m.data)).toEqual(['sentinel']);
    expect((await read('home', 'note')).json).toEqual([]);
  });

  it('sendOnSubscribe resources deliver their last persisted value to a new subscriber', async () => {
    const writer = await client(ALICE_HOME_TOKEN);
    await publish(writer, 'home/temp', JSON.stringify({ data: 19, write: true }), 1);
    const sub = await client(ALICE_HOME_TOKEN);
    const got = nextMessage(sub, (m) => m.topic === 'home/temp');
    await subscribe(sub, 'home/#', 1);
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 19 });
  });
  it('mosquitto_sub gets the last written value on subscribe (sendOnSubscribe)', async () => {
    await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/home/temp', { token: ALICE_HOME_TOKEN, body: { data: 17.25 } });
    const port = portOf(t.sandbox.urls.mqtt);
    const sub = await run('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      ALICE_HOME_TOKEN,
      '-t',
      'home/temp',
      '-C',
      '1',
      '-W',
      '5',
      '-V',
      'mqttv311',
    ]);
    expect(sub.code).toBe(0);
    expect(JSON.parse(sub.stdout)).toMatchObject({ data: 17.25 });
  });

  it('mosquitto_sub outside the token rights gets no data', async () => {
    const port = portOf(t.sandbox.urls.mqtt);
    const sub = await run('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      ALICE_HOME_TOKEN,
      '-t',
      'garage/door',
      '-C',
      '1',
      '-W',
      '2',
      '-V',
      'mqttv311',
    ]);
    // SUBACK 0x80: mosquitto_sub reports the refusal and stops
    expect(sub.stderr).toMatch(/denied/i);
    expect(sub.stdout).toBe('');
  });
});

describe('bridge', () => {
  it('REST publish reaches MQTT subscribers as {"data","ispublic","ts"}', async () => {
    const sub = await client(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    const got = nextMessage(sub, (m) => m.topic === 'home/note');
    const res = await rest(t.sandbox.urls.http, 'POST', '/v1/data/publish/home/note', {
      token: ALICE_HOME_TOKEN,
      body: { data: 'from rest' },
    });
    expect(res).toEqual({ status: 200, json: true });
    const body = JSON.parse((await got).payload.toString()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['data', 'ispublic', 'ts']);
    // `home` is a private channel: a publish takes its access level
    expect(body).toMatchObject({ data: 'from rest', ispublic: false });
  });

  it('REST write reaches MQTT subscribers and is persisted', async () => {
    const sub = await client(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/temp');
    const got = nextMessage(sub, (m) => m.topic === 'home/temp' && m.payload.toString().includes('30.5'));
    await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/home/temp', { token: ALICE_HOME_TOKEN, body: { data: 30.5 } });
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 30.5, ispublic: false }); // home is private
    expect(((await read('home', 'temp')).json as Array<{ data: unknown }>).at(-1)?.data).toBe(30.5);
  });

  it('MQTT messages (private by default) reach authenticated WebSocket subscribers only', async () => {
    const priv = await stream({ apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    await priv.subscribe('private-home', 'temp');
    const pub = await stream({ apiKey: ALICE.apiKey });
    await pub.subscribe('home', 'temp');
    await pub.subscribe('open', 'value');
    const mqttPub = await client(ALICE.secretKey);
    await publish(mqttPub, 'home/temp', JSON.stringify({ data: 41 }), 1);
    const m = await priv.next((x) => x.data === 41);
    expect(m).toMatchObject({ channel: 'private-home', resource: 'temp', data: 41, ispublic: false });
    // a public one on the public channel afterwards reaches the unauthenticated subscriber, which saw only that one
    await publish(mqttPub, 'open/value', JSON.stringify({ data: 42, ispublic: true }), 1);
    await pub.next((x) => x.data === 42);
    expect(pub.messages.map((x) => x.data)).not.toContain(41);
  });

  it('WebSocket publishes reach MQTT subscribers', async () => {
    const sub = await client(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    const ws = await stream({ apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    await ws.subscribe('home', 'note', { write: true });
    const got = nextMessage(sub, (m) => m.topic === 'home/note' && m.payload.toString().includes('from ws'));
    ws.stream.publish('home', 'note', 'from ws');
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 'from ws', ispublic: false }); // home is private
  });

  it('WebSocket write persists and reaches MQTT subscribers', async () => {
    const sub = await client(ALICE_HOME_TOKEN);
    await subscribe(sub, 'home/note');
    const ws = await stream({ apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    await ws.subscribe('home', 'note', { write: true });
    const got = nextMessage(sub, (m) => m.payload.toString().includes('kept'));
    ws.stream.write('home', 'note', 'kept');
    await got;
    expect(((await read('home', 'note')).json as Array<{ data: unknown }>).map((r) => r.data)).toContain('kept');
  });
});

describe('signaling', () => {
  it('signaling/# delivers connect, subscribe and disconnect events of the account', async () => {
    const watcher = await client(ALICE.secretKey);
    const seen = collect(watcher);
    await subscribe(watcher, 'signaling/#');
    const device = await client(ALICE_HOME_TOKEN);
    const connect = await nextMessage(watcher, (m) => m.topic === 'signaling/connect');
    expect(JSON.parse(connect.payload.toString()).data).toMatchObject({ protocol: 'mqtt', channel: 'home', owner: 'alice' });
    const subscribed = nextMessage(
      watcher,
      (m) => m.topic === 'signaling/subscribe' && JSON.parse(m.payload.toString()).data.channel === 'home',
    );
    await subscribe(device, 'home/temp');
    expect(JSON.parse((await subscribed).payload.toString()).data).toMatchObject({ channel: 'home', resource: 'temp' });
    const gone = nextMessage(watcher, (m) => m.topic === 'signaling/disconnect');
    await endClient(device);
    expect(JSON.parse((await gone).payload.toString()).data).toMatchObject({ protocol: 'mqtt', channel: 'home' });
    expect(seen.every((m) => m.topic.startsWith('signaling/'))).toBe(true);
  });

  it('reports what the SDK tests expect: its own signaling/# subscription, # as #, and mqtt over TLS', async () => {
    const watcher = await client(ALICE.secretKey);
    const own = nextMessage(watcher, (m) => m.topic === 'signaling/subscribe');
    await subscribe(watcher, 'signaling/#');
    expect(JSON.parse((await own).payload.toString()).data).toMatchObject({
      protocol: 'mqtt',
      channel: 'signaling',
      resource: '#',
    });
    const tls = await connectMqtt(t.sandbox.urls.mqtts!, ALICE_HOME_TOKEN, { ca: readFileSync(t.sandbox.caPath) });
    mqttClients.push(tls);
    const whole = nextMessage(
      watcher,
      (m) => m.topic === 'signaling/subscribe' && JSON.parse(m.payload.toString()).data.channel === 'home',
    );
    await subscribe(tls, 'home/#');
    expect(JSON.parse((await whole).payload.toString()).data).toMatchObject({ protocol: 'mqtt', channel: 'home', resource: '#' });
  });
});
