/**
 * QoS 2 through the persistent outbox survives SIGKILL mid-handshake: killed after the broker's PUBREC (waiting
 * for PUBCOMP) or before it (PUBLISH sent, no PUBREC yet), the restarted app completes the exchange from the
 * stored state — the subscriber gets every message exactly once, and the outbox ends empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { MessageDTO, ProfileDTO, PublishResult, SessionState } from '../../electron/api.js';
import { tempDir, waitFor } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';
import { startCoreChild, type CoreChild } from '../tools/fault-child.js';
import { startDropProxy, type DropProxy } from '../tools/mqtt-drop-proxy.js';

/** the child compiles the sources as it starts: on a loaded machine that takes a while */
const START_MS = 90_000;
const PUBREC = 5;
const PUBCOMP = 7;

let broker: Mosquitto;
let proxy: DropProxy;
let subscriber: MqttClient;
let app: CoreChild | null = null;
const received: string[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  proxy = await startDropProxy(broker.port);
  subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'qos2-subscriber' });
  subscriber.on('message', (_topic, payload) => received.push(payload.toString()));
  await subscriber.subscribeAsync('q2/#', { qos: 2 });
});
afterAll(async () => {
  await app?.kill();
  await subscriber?.endAsync().catch(() => undefined);
  await proxy?.close();
  await broker?.stop();
});

for (const [label, held] of [
  ['after PUBREC, waiting for PUBCOMP', PUBCOMP],
  ['after PUBLISH, before PUBREC', PUBREC],
] as const) {
  describe(`SIGKILL ${label}`, () => {
    it('the restarted app completes the exchange: delivered exactly once, outbox empty', async () => {
      const dataDir = tempDir('apiary-qos2-kill-');
      const tag = `m-${held}`;
      app = await startCoreChild(dataDir, START_MS);
      // the broker keeps the session across the restart: a fixed client id, clean start off, a session expiry
      const profile = await app.call<ProfileDTO>('profiles.save', {
        name: 'q2',
        kind: 'mqtt',
        url: proxy.url,
        protocolVersion: 5,
        clientId: `apiary-q2-${held}`,
        cleanStart: false,
        sessionExpiryInterval: 300,
        subscriptions: [],
      });
      await app.call('sessions.connect', { profileId: profile.id });
      await waitFor(
        async () =>
          (await app!.call<SessionState[]>('sessions.list', {})).find((s) => s.profileId === profile.id)?.status === 'connected',
        'connected',
      );

      proxy.drop.add(held);
      const before = proxy.dropped(held);
      const result = await app.call<PublishResult>('messages.publish', {
        profileId: profile.id,
        topic: 'q2/x',
        data: tag,
        raw: true,
        qos: 2,
      });
      expect(result.status).toBe('queued'); // the exchange did not finish within the live wait
      await waitFor(() => proxy.dropped(held) > before, 'the held-back acknowledgement');
      await app.kill(); // SIGKILL mid-handshake
      app = null;

      proxy.drop.delete(held);
      app = await startCoreChild(dataDir, START_MS);
      await app.call('sessions.connect', { profileId: profile.id });
      await waitFor(() => received.includes(tag), `the message ${tag} at the subscriber`, 15_000);
      await waitFor(
        async () => (await app!.call<SessionState[]>('sessions.list', {})).find((s) => s.profileId === profile.id)?.outbox === 0,
        'the outbox empty',
      );
      // one more message behind it: the stream moved on, and the first one did not come twice
      await app.call('messages.publish', { profileId: profile.id, topic: 'q2/x', data: `${tag}-after`, raw: true, qos: 2 });
      await waitFor(() => received.includes(`${tag}-after`), 'the next message');
      await new Promise((r) => setTimeout(r, 300));
      expect(received.filter((m) => m === tag)).toHaveLength(1);
      await app.kill();
      app = null;
    }, 300_000);
  });
}

describe("SIGKILL between our PUBREC and the broker's PUBREL (a QoS 2 message coming in)", () => {
  it('the restarted app takes the message from its store when the PUBREL comes again: logged once, not lost', async () => {
    const PUBREL = 6;
    const dataDir = tempDir('apiary-qos2-in-kill-');
    app = await startCoreChild(dataDir, START_MS);
    const profile = await app.call<ProfileDTO>('profiles.save', {
      name: 'q2in',
      kind: 'mqtt',
      url: proxy.url,
      protocolVersion: 5,
      clientId: 'apiary-q2-in',
      cleanStart: false,
      sessionExpiryInterval: 300,
      subscriptions: ['q2in/#'],
      subscriptionOptions: { 'q2in/#': { qos: 2 } },
    });
    const connected = async () =>
      (await app!.call<SessionState[]>('sessions.list', {})).find((s) => s.profileId === profile.id)?.status === 'connected';
    await app.call('sessions.connect', { profileId: profile.id });
    await waitFor(connected, 'connected');
    await new Promise((r) => setTimeout(r, 500)); // the subscription goes out right after CONNACK

    proxy.drop.add(PUBREL);
    const before = proxy.dropped(PUBREL);
    await subscriber.publishAsync('q2in/x', Buffer.from('incoming-once'), { qos: 2 });
    await waitFor(() => proxy.dropped(PUBREL) > before, 'the held-back PUBREL');
    await app.kill(); // SIGKILL with the message acknowledged (PUBREC) but not released
    app = null;

    proxy.drop.delete(PUBREL);
    app = await startCoreChild(dataDir, START_MS);
    await app.call('sessions.connect', { profileId: profile.id });
    const logged = async () => app!.call<MessageDTO[]>('messages.query', { profileId: profile.id, topicFilter: 'q2in/#' });
    await waitFor(async () => (await logged()).length > 0, 'the message in the log', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    expect((await logged()).map((m) => m.preview)).toEqual(['incoming-once']);
    await app.kill();
    app = null;
  }, 300_000);
});
