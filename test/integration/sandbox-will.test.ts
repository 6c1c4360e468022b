/**
 * Last will and testament in the sandbox: a will on a channel the credential may publish to reaches the
 * account's subscribers when its client dies without DISCONNECT; a will outside the credential's rights,
 * or from a credential revoked meanwhile (token regenerated), reaches nobody — nor another account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import {
  ALICE,
  ALICE_GARAGE_TOKEN,
  ALICE_HOME_TOKEN,
  BOB,
  collect,
  connectMqtt,
  endClient,
  nextMessage,
  publish,
  startTestSandbox,
  subscribe,
  type Received,
  type TestSandbox,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
let alice: MqttClient;
let bob: MqttClient;
let aliceSeen: Received[] = [];
let bobSeen: Received[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  alice = await connectMqtt(t.sandbox.urls.mqtt, ALICE.secretKey);
  bob = await connectMqtt(t.sandbox.urls.mqtt, BOB.secretKey);
  clients.push(alice, bob);
  expect(await subscribe(alice, '#', 1)).toEqual([1]);
  expect(await subscribe(alice, 'signaling/#', 1)).toEqual([1]);
  expect(await subscribe(bob, '#', 1)).toEqual([1]); // Bob has a channel "home" too
  aliceSeen = collect(alice);
  bobSeen = collect(bob);
});
afterAll(async () => {
  for (const c of clients) await endClient(c);
  await t?.cleanup();
});

let wills = 0;

/** Connects with a will (resolving once the server has registered the connection: its connect signal is out). */
async function withWill(token: string, topic: string, mark: string): Promise<{ clientId: string; client: MqttClient }> {
  const clientId = `will-client-${++wills}`;
  const ready = nextMessage(
    alice,
    (m) => m.topic === 'signaling/connect' && m.payload.toString().includes(`"clientid":"${clientId}"`),
    8000,
  );
  const client = await connectMqtt(t.sandbox.urls.mqtt, token, {
    clientId,
    will: { topic, payload: Buffer.from(JSON.stringify({ data: mark })), qos: 1, retain: false },
  });
  clients.push(client);
  await ready;
  return { clientId, client };
}

/** Dies the hard way (no DISCONNECT), as a device that loses power does. */
const kill = (client: MqttClient) => {
  client.stream.destroy();
  client.end(true);
};

/** The server has finished with that client: its disconnect signal reached Alice (wills go out before it). */
const disconnected = (clientId: string) =>
  nextMessage(
    alice,
    (m) => m.topic === 'signaling/disconnect' && m.payload.toString().includes(`"clientid":"${clientId}"`),
    8000,
  );

/** A marker on the same topic, published after the fact: once Alice has it, anything sent before is in. */
async function barrier(token: string, topic: string, mark: string): Promise<void> {
  const pub = await connectMqtt(t.sandbox.urls.mqtt, token);
  clients.push(pub);
  const arrived = nextMessage(alice, (m) => saw([m], mark).length > 0, 8000);
  await publish(pub, topic, JSON.stringify({ data: mark }), 1);
  await arrived;
}

/** Data messages carrying the mark (signaling events name clients, never payloads). */
const saw = (list: Received[], mark: string) =>
  list.filter((m) => !m.topic.startsWith('signaling/') && m.payload.toString().includes(mark));

describe('sandbox: MQTT last will', () => {
  it('delivers a will on an allowed channel/resource to the account, and only to it', async () => {
    const { client } = await withWill(ALICE_HOME_TOKEN, 'home/note', 'alice-home-gone');
    const will = nextMessage(alice, (m) => saw([m], 'alice-home-gone').length > 0, 8000);
    kill(client);
    const got = await will;
    expect(got.topic).toBe('home/note');
    expect(JSON.parse(got.payload.toString())).toMatchObject({ data: 'alice-home-gone' });
    await barrier(ALICE_HOME_TOKEN, 'home/note', 'after-home-will');
    expect(saw(bobSeen, 'alice-home-gone')).toEqual([]);
  });

  it('drops a will outside the credential rights (another channel)', async () => {
    // a home token may not publish on garage: its will must not be published there either
    const { clientId, client } = await withWill(ALICE_HOME_TOKEN, 'garage/door', 'alice-garage-will');
    const gone = disconnected(clientId);
    kill(client);
    await gone;
    await barrier(ALICE_GARAGE_TOKEN, 'garage/door', 'after-garage-will');
    expect(saw(aliceSeen, 'alice-garage-will')).toEqual([]);
    expect(saw(bobSeen, 'alice-garage-will')).toEqual([]);
  });

  it('discards the will of a client that says DISCONNECT', async () => {
    const { clientId, client } = await withWill(ALICE_HOME_TOKEN, 'home/note', 'clean-goodbye');
    const gone = disconnected(clientId);
    await client.endAsync(false); // not forced: mqtt.js sends DISCONNECT first
    await gone;
    await barrier(ALICE_HOME_TOKEN, 'home/note', 'barrier-after-goodbye');
    expect(saw(aliceSeen, 'clean-goodbye')).toEqual([]);
  });

  it('drops the will of a connection dropped because its token was regenerated', async () => {
    const { clientId, client } = await withWill(ALICE_GARAGE_TOKEN, 'garage/door', 'revoked-will');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const gone = disconnected(clientId);
    const fresh = t.sandbox.accounts.regenerateToken(ALICE.owner, 'garage');
    await closed;
    await gone;
    await barrier(fresh.token, 'garage/door', 'barrier-after-revocation');
    expect(saw(aliceSeen, 'revoked-will')).toEqual([]);
  });
});
