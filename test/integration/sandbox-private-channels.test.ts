/**
 * A write to a private channel stays private (issue 16, defect 4): REST, WebSocket and MQTT writes and
 * publishes take the channel's access level, so a WebSocket reader holding only the API key never receives
 * them, sendOnSubscribe never replays them as public, and the stored record says `ispublic: false`.
 */
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type SdkStream,
  type TestSandbox,
  connectMqtt,
  endClient,
  nextMessage,
  openSdkStream,
  publish,
  rest,
  socketioTransport,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped CommonJS
const io = createRequire(import.meta.url)('socket.io-client') as (url: string, opts: object) => any;

interface WsMessage {
  channel: string;
  resource: string;
  data: unknown;
  ispublic: boolean;
}

let t: TestSandbox;
const streams: SdkStream[] = [];
const mqttClients: MqttClient[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sockets: any[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  for (const s of streams) s.close();
  for (const s of sockets) s.close();
  await Promise.all(mqttClients.map(endClient));
  await t?.cleanup();
});

/** A socket.io 2.x reader holding only the API key (it may read public messages), subscribed to these. */
async function apiKeyReader(subscriptions: Array<[string, string]>): Promise<{ seen: WsMessage[] }> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io-client 2.x is untyped
  const socket = await new Promise<any>((resolve, reject) => {
    const s = io(t.sandbox.urls.http, {
      query: `key=${ALICE.apiKey}`,
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
    });
    sockets.push(s);
    const timer = setTimeout(() => reject(new Error('socket.io did not connect')), 5000);
    s.on('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
  });
  const seen: WsMessage[] = [];
  socket.on('message', (m: WsMessage) => seen.push(m));
  for (const [channel, resource] of subscriptions) {
    const reply = new Promise<{ event: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to subscribe ${channel}.${resource}`)), 5000);
      socket.once('control', (m: { event: string }) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'subscribe',
      data: { channel, resource, ttl: 0, read: true, write: false },
    });
    expect(await reply).toMatchObject({ event: 'subscribed' });
  }
  return { seen };
}

async function sdkStream(credentials: Record<string, string>): Promise<SdkStream> {
  const s = await openSdkStream(socketioTransport(t.sandbox.urls.http, credentials));
  streams.push(s);
  return s;
}

/** A public message on the public channel `open`: once a reader has it, everything sent before has arrived. */
async function publicMarker(reader: { seen: WsMessage[] }, mark: string): Promise<void> {
  await rest(t.sandbox.urls.http, 'POST', '/v1/data/publish/open/value', { token: OPEN_TOKEN, body: { data: mark } });
  for (let i = 0; i < 200 && !reader.seen.some((m) => m.data === mark); i++) await new Promise((r) => setTimeout(r, 25));
  expect(reader.seen.map((m) => m.data)).toContain(mark);
}

const base = () => t.sandbox.urls.http;
const OPEN_TOKEN = 'token_aliceOpen00000001'; // the seed's public channel `open`

describe('writes and publishes to a private channel', () => {
  it('reach authorised readers as private and no API-key-only reader, whatever the transport', async () => {
    const reader = await apiKeyReader([
      ['home', 'temp'],
      ['home', 'note'],
      ['open', 'value'],
    ]);
    const owner = await sdkStream({ apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    await owner.subscribe('private-home', '*');
    const writer = await sdkStream({ token: ALICE_HOME_TOKEN });
    await writer.subscribe('home', 'note', { write: true });
    const device = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
    mqttClients.push(device);

    const token = ALICE_HOME_TOKEN;
    expect((await rest(base(), 'POST', '/v1/data/write/home/temp', { token, body: { data: 21 } })).status).toBe(200);
    const bulk = { records: [{ resource: 'note', data: 'rest-bulk-write' }] };
    expect((await rest(base(), 'POST', '/v1/data/write/home', { token, body: bulk })).status).toBe(200);
    expect((await rest(base(), 'POST', '/v1/data/publish/home/note', { token, body: { data: 'rest-publish' } })).status).toBe(
      200,
    );
    const asPublic = { data: 'rest-publish-ispublic', ispublic: true };
    expect((await rest(base(), 'POST', '/v1/data/publish/home/note', { token, body: asPublic })).status).toBe(200);
    writer.stream.write('home', 'note', 'ws-write');
    writer.stream.publish('home', 'note', 'ws-publish');
    await publish(device, 'home/note', JSON.stringify({ data: 'mqtt-publish', ispublic: true }), 1);
    await publish(device, 'home/note', JSON.stringify({ data: 'mqtt-write', ispublic: true, write: true }), 1);

    const sent = [
      21,
      'rest-bulk-write',
      'rest-publish',
      'rest-publish-ispublic',
      'ws-write',
      'ws-publish',
      'mqtt-publish',
      'mqtt-write',
    ];
    for (const data of sent) {
      expect(await owner.next((m) => m.data === data)).toMatchObject({ channel: 'private-home', ispublic: false });
    }
    await publicMarker(reader, 'after-private-writes');
    expect(reader.seen.map((m) => m.data)).toEqual(['after-private-writes']);
  });

  it('sendOnSubscribe replays a private write to authorised subscribers only, and as private', async () => {
    await rest(base(), 'POST', '/v1/data/write/home/temp', { token: ALICE_HOME_TOKEN, body: { data: 22.5 } });

    const reader = await apiKeyReader([
      ['home', 'temp'],
      ['open', 'value'],
    ]);
    await publicMarker(reader, 'after-replay');
    expect(reader.seen.map((m) => m.data)).toEqual(['after-replay']);

    const authorised = await sdkStream({ token: ALICE_HOME_TOKEN });
    await authorised.subscribe('private-home', 'temp');
    expect(await authorised.next((m) => m.data === 22.5)).toMatchObject({ resource: 'temp', ispublic: false });

    const device = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
    mqttClients.push(device);
    const replay = nextMessage(device, (m) => m.topic === 'home/temp');
    await subscribe(device, 'home/temp');
    expect(JSON.parse((await replay).payload.toString())).toEqual({ data: 22.5, ispublic: false, ts: expect.any(Number) });
  });
});

describe('writes to a public channel', () => {
  it('stay public: an API-key-only reader receives them', async () => {
    const reader = await apiKeyReader([['open', 'value']]);
    await rest(base(), 'POST', '/v1/data/write/open/value', { token: OPEN_TOKEN, body: { data: 'open-write' } });
    for (let i = 0; i < 200 && reader.seen.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(reader.seen).toEqual([
      expect.objectContaining({ channel: 'open', resource: 'value', data: 'open-write', ispublic: true }),
    ]);
  });
});
