/**
 * Persistent sessions and client ids belong to an account and a credential (issue 16, defects 1 and 2):
 * another account, or another credential of the same account, using the same client id neither kicks the
 * first client off, nor fires its will, nor sees, resumes or wipes its session; a resumed session gets its
 * queued messages on the topic the client subscribed to, never on the sandbox's internal one.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_GARAGE_TOKEN,
  ALICE_HOME_TOKEN,
  BOB,
  type Received,
  type TestSandbox,
  collect,
  connectMqtt,
  endClient,
  publish,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
const clients: MqttClient[] = [];
let alicePublisher: MqttClient;

beforeAll(async () => {
  t = await startTestSandbox();
  alicePublisher = await connectMqtt(t.sandbox.urls.mqtt, ALICE.secretKey, { clientId: 'alice-publisher' });
  clients.push(alicePublisher);
});
afterAll(async () => {
  for (const c of clients) await endClient(c);
  await t?.cleanup();
});

interface Session {
  client: MqttClient;
  sessionPresent: boolean;
  /** every message since the socket opened, queued ones included */
  seen: Received[];
  isClosed(): boolean;
}

/** Connects with an explicit client id and clean flag; messages are collected from the first byte on. */
function openSession(username: string, clientId: string, clean: boolean, extra: IClientOptions = {}): Promise<Session> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(t.sandbox.urls.mqtt, {
      username,
      password: '',
      clientId,
      clean,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      protocolVersion: 4,
      ...extra,
    });
    clients.push(client);
    const seen = collect(client);
    let closed = false;
    client.on('close', () => (closed = true));
    const timer = setTimeout(() => reject(new Error(`${clientId}: no CONNACK within 8 s`)), 8000);
    client.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    client.once('connect', (connack) => {
      clearTimeout(timer);
      resolve({ client, sessionPresent: connack.sessionPresent, seen, isClosed: () => closed });
    });
  });
}

/** Polls a condition (bounded); resolves true when it held, false when the wait ran out. */
async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
  for (let waited = 0; waited < timeoutMs; waited += 25) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return condition();
}

const texts = (seen: Received[]) => seen.map((m) => m.payload.toString());
const envelope = (data: string) => JSON.stringify({ data });

/** A QoS 1 subscription that outlives the connection: subscribe, then leave with DISCONNECT. */
async function leaveSession(username: string, clientId: string, filter: string): Promise<void> {
  const s = await openSession(username, clientId, false);
  expect(await subscribe(s.client, filter, 1)).toEqual([1]);
  await endClient(s.client);
}

/** Five QoS 1 messages from Alice's account; each is queued for offline persistent sessions before its PUBACK. */
async function queueFive(topic: string, tag: string): Promise<string[]> {
  const sent: string[] = [];
  for (let i = 1; i <= 5; i++) {
    sent.push(envelope(`${tag}-${i}`));
    await publish(alicePublisher, topic, sent.at(-1)!, 1);
  }
  return sent;
}

/** Proof that a session is live and everything sent to it before now has arrived: a marker round trip. */
async function roundTrip(s: Session, topic: string, mark: string): Promise<void> {
  await subscribe(s.client, topic, 1);
  await publish(s.client, topic, envelope(mark), 1);
  expect(await waitFor(() => texts(s.seen).includes(envelope(mark)))).toBe(true);
}

describe('client ids are per account and credential', () => {
  it('another account using the same client id neither kicks the first client off nor fires its will in the first account', async () => {
    const observer = await openSession(ALICE.secretKey, 'alice-observer', true);
    expect(await subscribe(observer.client, 'home/note', 1)).toEqual([1]);
    const first = await openSession(ALICE_HOME_TOKEN, 'shared-device', true, {
      will: { topic: 'home/note', payload: Buffer.from(envelope('alice-will')), qos: 1, retain: false },
    });
    expect(await subscribe(first.client, 'home/note', 1)).toEqual([1]);

    const intruder = await openSession(BOB.secretKey, 'shared-device', true);
    await roundTrip(intruder, 'home/note', 'bob-is-in');

    // the first client still receives: a message published after the intruder's CONNACK reaches it
    await publish(alicePublisher, 'home/note', envelope('after-intruder'), 1);
    expect(await waitFor(() => texts(first.seen).includes(envelope('after-intruder')))).toBe(true);
    expect(first.isClosed()).toBe(false);
    expect(await waitFor(() => texts(observer.seen).includes(envelope('after-intruder')))).toBe(true);
    expect(texts(observer.seen)).not.toContain(envelope('alice-will'));
    expect(texts(observer.seen)).not.toContain(envelope('bob-is-in'));
  });

  it('the same credential reconnecting with the same client id still takes over (MQTT semantics)', async () => {
    const first = await openSession(ALICE.secretKey, 'same-credential', true);
    await openSession(ALICE.secretKey, 'same-credential', true);
    expect(await waitFor(() => first.isClosed())).toBe(true);
  });
});

describe('persistent sessions are per account and credential', () => {
  it('clean=false from another account sees no session and resumes nothing; the owner still gets everything', async () => {
    await leaveSession(ALICE.secretKey, 'persist-cross', 'home/note');
    const sent = await queueFive('home/note', 'cross');

    const bob = await openSession(BOB.secretKey, 'persist-cross', false);
    expect(bob.sessionPresent).toBe(false);
    await roundTrip(bob, 'home/note', 'bob-marker');
    expect(texts(bob.seen)).toEqual([envelope('bob-marker')]);
    await endClient(bob.client);

    const alice = await openSession(ALICE.secretKey, 'persist-cross', false);
    expect(alice.sessionPresent).toBe(true);
    expect(await waitFor(() => alice.seen.length >= 5)).toBe(true);
    expect(texts(alice.seen)).toEqual(sent);
  });

  it('clean=true from another account does not wipe the session', async () => {
    await leaveSession(ALICE.secretKey, 'persist-wipe', 'home/note');
    const sent = await queueFive('home/note', 'wipe');

    const bob = await openSession(BOB.secretKey, 'persist-wipe', true);
    expect(bob.sessionPresent).toBe(false);
    await endClient(bob.client);

    const alice = await openSession(ALICE.secretKey, 'persist-wipe', false);
    expect(alice.sessionPresent).toBe(true);
    expect(await waitFor(() => alice.seen.length >= 5)).toBe(true);
    expect(texts(alice.seen)).toEqual(sent);
  });

  it("a garage token taking over a home-token session's client id starts fresh and gets none of the home messages", async () => {
    await leaveSession(ALICE_HOME_TOKEN, 'device-7', 'home/note');
    const sent = await queueFive('home/note', 'home-only');

    const garage = await openSession(ALICE_GARAGE_TOKEN, 'device-7', false);
    expect(garage.sessionPresent).toBe(false);
    await roundTrip(garage, 'garage/door', 'garage-marker');
    expect(garage.seen.map((m) => m.topic)).toEqual(['garage/door']);
    await endClient(garage.client);

    const home = await openSession(ALICE_HOME_TOKEN, 'device-7', false);
    expect(home.sessionPresent).toBe(true);
    expect(await waitFor(() => home.seen.length >= 5)).toBe(true);
    expect(texts(home.seen)).toEqual(sent);
  });
});

describe('queued messages', () => {
  it("are checked again against the credential's rights when its session resumes", async () => {
    const token = 'iamtkn_rightsChange000000001';
    t.sandbox.accounts.createIamToken(ALICE.owner, { token, channels: ['home', 'garage'] });
    const s = await openSession(token, 'iam-device', false);
    expect(await subscribe(s.client, 'home/note', 1)).toEqual([1]);
    expect(await subscribe(s.client, 'garage/door', 1)).toEqual([1]);
    await endClient(s.client);
    await queueFive('home/note', 'revoked-right');
    const kept = await queueFive('garage/door', 'kept-right');

    t.sandbox.accounts.createIamToken(ALICE.owner, { token, channels: ['garage'] }); // home taken away
    const resumed = await openSession(token, 'iam-device', false);
    expect(resumed.sessionPresent).toBe(true);
    expect(await waitFor(() => resumed.seen.length >= 5)).toBe(true);
    await roundTrip(resumed, 'garage/door', 'rights-marker');
    expect(texts(resumed.seen)).toEqual([...kept, envelope('rights-marker')]);
  });

  it('reach a resumed session on the topic it subscribed to, never on an internal name', async () => {
    await leaveSession(ALICE.secretKey, 'persist-topics', 'home/#');
    const sent = await queueFive('home/note', 'topic');
    const alice = await openSession(ALICE.secretKey, 'persist-topics', false);
    expect(alice.sessionPresent).toBe(true);
    expect(await waitFor(() => alice.seen.length >= 5)).toBe(true);
    expect(alice.seen.map((m) => m.topic)).toEqual(Array(5).fill('home/note'));
    expect(texts(alice.seen)).toEqual(sent);
    expect(alice.seen.every((m) => m.qos === 1)).toBe(true);
  });
});
