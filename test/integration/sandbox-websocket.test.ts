/** Sandbox WebSocket API: the official SDK's socket.io and MQTT transports, and raw socket.io-client 2.x. */
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type SdkStream,
  type TestSandbox,
  collect,
  connectMqtt,
  endClient,
  mqttTransport,
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

let t: TestSandbox;
const streams: SdkStream[] = [];
const mqttClients: MqttClient[] = [];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sockets: any[] = [];

async function stream(transport: Record<string, unknown>): Promise<SdkStream> {
  const s = await openSdkStream(transport);
  streams.push(s);
  return s;
}

/** A raw socket.io 2.x connection, resolved once connected. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function rawSocket(query: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const socket = io(t.sandbox.urls.http, { query, forceNew: true, reconnection: false, transports: ['websocket'] });
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error('socket.io did not connect')), 5000);
    socket.on('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function nextControl(socket: any, timeoutMs = 5000): Promise<{ event: string; data: { channel: string; resource: string } }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no control message')), timeoutMs);
    socket.once('control', (m: { event: string; data: { channel: string; resource: string } }) => {
      clearTimeout(timer);
      resolve(m);
    });
  });
}

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  for (const s of streams) s.close();
  for (const s of sockets) s.close();
  await Promise.all(mqttClients.map(endClient));
  await t.cleanup();
});

describe('official SDK, socket.io transport', () => {
  it('signs private subscriptions with the secret key and receives REST publishes', async () => {
    const s = await stream(socketioTransport(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey }));
    await s.subscribe('private-home', '*');
    await rest(t.sandbox.urls.http, 'POST', '/v1/data/publish/private-home/note', {
      token: ALICE_HOME_TOKEN,
      body: { data: 'secret' },
    });
    expect(await s.next((m) => m.data === 'secret')).toMatchObject({
      channel: 'private-home',
      resource: 'note',
      ispublic: false,
    });
  });

  it('authorises with a channel token and receives private MQTT messages', async () => {
    const s = await stream(socketioTransport(t.sandbox.urls.http, { token: ALICE_HOME_TOKEN }));
    await s.subscribe('private-home', 'temp');
    const device = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
    mqttClients.push(device);
    await publish(device, 'home/temp', JSON.stringify({ data: 7 }), 1);
    expect(await s.next((m) => m.data === 7)).toMatchObject({ channel: 'private-home', resource: 'temp', ispublic: false });
  });

  it('delivers the last value of sendOnSubscribe resources on subscribe', async () => {
    await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/home/temp', { token: ALICE_HOME_TOKEN, body: { data: 23 } });
    const s = await stream(socketioTransport(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey }));
    await s.subscribe('private-home', 'temp');
    expect(await s.next((m) => m.data === 23)).toMatchObject({ resource: 'temp' });
  });
});

describe('official SDK, MQTT transport', () => {
  it('subscribes, writes and reads back through the sandbox', async () => {
    const s = await stream(mqttTransport(t.sandbox.urls.mqtt, { token: ALICE_HOME_TOKEN }));
    await s.subscribe('home', 'note');
    s.stream.write('home', 'note', 'via sdk mqtt', { qos: 1 });
    expect(await s.next((m) => m.data === 'via sdk mqtt')).toMatchObject({ channel: 'home', resource: 'note' });
    const read = await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/note', { token: ALICE_HOME_TOKEN });
    expect((read.json as Array<{ data: unknown }>).map((r) => r.data)).toContain('via sdk mqtt');
  });

  it('connects with the secret key too', async () => {
    const s = await stream(mqttTransport(t.sandbox.urls.mqtt, { secretKey: ALICE.secretKey }));
    await s.subscribe('garage', 'door');
  });
});

describe('raw socket.io-client 2.x', () => {
  it('refuses a private subscription without a signature, or with a wrong one', async () => {
    const socket = await rawSocket(`key=${ALICE.apiKey}`);
    let reply = nextControl(socket);
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'subscribe',
      data: { channel: 'private-home', resource: '*', ttl: 0, read: true, write: false },
    });
    expect(await reply).toMatchObject({ event: 'subscribeError', data: { channel: 'private-home' } });
    reply = nextControl(socket);
    const sig = createHmac('sha1', ALICE.secretKey)
      .update(`not-the-sid:private-home.*:ttl=0:read=true:write=false`)
      .digest('base64');
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'subscribe',
      data: { channel: 'private-home', resource: '*', ttl: 0, read: true, write: false, sig: `${ALICE.apiKey}:${sig}` },
    });
    expect(await reply).toMatchObject({ event: 'subscribeError' });
  });

  it('accepts a signature over the Engine.IO id and answers unsubscribe', async () => {
    const socket = await rawSocket(`key=${ALICE.apiKey}`);
    const sid = socket.io.engine.id as string;
    const sig = createHmac('sha1', ALICE.secretKey)
      .update(`${sid}:private-home.temp:ttl=0:read=true:write=true`)
      .digest('base64');
    let reply = nextControl(socket);
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'subscribe',
      data: { channel: 'private-home', resource: 'temp', ttl: 0, read: true, write: true, sig: `${ALICE.apiKey}:${sig}` },
    });
    expect(await reply).toEqual({ event: 'subscribed', data: { channel: 'private-home', resource: 'temp' } });
    reply = nextControl(socket);
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'unsubscribe',
      data: { channel: 'private-home', resource: 'temp' },
    });
    expect(await reply).toMatchObject({ event: 'unsubscribed' });
  });

  it('a public subscription gets public messages only', async () => {
    const socket = await rawSocket(`key=${ALICE.apiKey}`);
    const seen: Array<{ data: unknown }> = [];
    socket.on('message', (m: { data: unknown }) => seen.push(m));
    const reply = nextControl(socket);
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'subscribe',
      data: { channel: 'open', resource: 'value', ttl: 0, read: true, write: false },
    });
    expect(await reply).toMatchObject({ event: 'subscribed' });
    const base = t.sandbox.urls.http;
    const token = 'token_aliceOpen00000001'; // the seed's public channel `open`
    await rest(base, 'POST', '/v1/data/publish/private-open/value', { token, body: { data: 'hidden' } });
    const got = new Promise<void>((resolve) => socket.on('message', (m: { data: unknown }) => m.data === 'shown' && resolve()));
    await rest(base, 'POST', '/v1/data/publish/open/value', { token, body: { data: 'shown' } });
    await got;
    expect(seen.map((m) => m.data)).toEqual(['shown']);
  });

  it('a subscription authorised by a token in its message loses private messages and writes when that token is regenerated', async () => {
    const accounts = t.sandbox.accounts;
    const { token } = accounts.createChannel(ALICE.owner, {
      name: 'wsrevoke',
      ispublic: true, // its public messages still reach the socket after the regeneration
      resources: [{ name: 'note', vtype: 'string' }],
    });
    const socket = await rawSocket(`key=${ALICE.apiKey}`);
    const seen: unknown[] = [];
    socket.on('message', (m: { data: unknown }) => seen.push(m.data));
    const reply = nextControl(socket);
    socket.emit('message', {
      version: 1,
      channel: 'control',
      event: 'subscribe',
      data: { channel: 'private-wsrevoke', resource: 'note', ttl: 0, read: true, write: true, token },
    });
    expect(await reply).toMatchObject({ event: 'subscribed' });
    const base = t.sandbox.urls.http;
    const publishPrivate = (data: string, as: string) =>
      rest(base, 'POST', '/v1/data/publish/private-wsrevoke/note', { token: as, body: { data } });
    const arrived = (data: string) =>
      new Promise<void>((resolve) => socket.on('message', (m: { data: unknown }) => m.data === data && resolve()));
    let got = arrived('before');
    await publishPrivate('before', token!);
    await got;
    got = arrived('from the socket, before');
    socket.emit('message', {
      version: 1,
      channel: 'stream',
      event: 'publish',
      data: { channel: 'private-wsrevoke', resource: 'note', data: 'from the socket, before' },
    });
    await got; // the token let the socket publish

    const { token: fresh } = accounts.regenerateToken(ALICE.owner, 'wsrevoke');
    await publishPrivate('after', fresh!);
    got = arrived('public after');
    await rest(base, 'POST', '/v1/data/publish/wsrevoke/note', { token: fresh!, body: { data: 'public after' } });
    await got; // the subscription is still there for public messages…
    expect(seen).not.toContain('after'); // …but the private one the old token allowed no longer comes
    const refused = nextControl(socket);
    socket.emit('message', {
      version: 1,
      channel: 'stream',
      event: 'publish',
      data: { channel: 'private-wsrevoke', resource: 'note', data: 'from the socket' },
    });
    expect(await refused).toMatchObject({ event: 'publishError' });
  });

  it('drops a connection with an unknown API key', async () => {
    const socket = io(t.sandbox.urls.http, {
      query: 'key=unknown',
      forceNew: true,
      reconnection: false,
      transports: ['websocket'],
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('not dropped')), 5000);
      socket.on('disconnect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  });

  it('WebSocket publishes from one account never reach another account over MQTT', async () => {
    const bob = await connectMqtt(t.sandbox.urls.mqtt, 'bobSecretKey00000000000000000001');
    mqttClients.push(bob);
    await subscribe(bob, '#');
    const bobSeen = collect(bob);
    const s = await stream(socketioTransport(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey }));
    await s.subscribe('home', 'note', { write: true });
    s.stream.publish('home', 'note', 'alice only');
    await s.next((m) => m.data === 'alice only');
    const sentinel = nextMessage(bob, (m) => m.topic === 'home/note');
    await rest(t.sandbox.urls.http, 'POST', '/v1/data/publish/home/note', {
      token: 'token_bobHome0000000001',
      body: { data: 'bob' },
    });
    await sentinel;
    expect(bobSeen.map((m) => m.payload.toString()).join()).not.toContain('alice only');
  });
});
