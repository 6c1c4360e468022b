/** The outbox survives closing the app: messages queued offline are delivered after a restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import type { ProfileDTO } from '../../electron/api.js';
import { startTestCore, tempDir, waitFor } from '../tools/core-fixture.js';
import { MemorySecretStore } from '../../electron/core/vault/index.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

/** An aedes broker that takes PUBLISHes but holds their PUBACKs (authorizePublish waits) until acknowledge(). */
async function startHoldingBroker() {
  let acknowledging = false;
  const broker = await Aedes.createBroker({
    authorizePublish: (_client, _packet, done) => {
      if (acknowledging) done(null);
    },
  });
  const server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    broker,
    url: `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    acknowledge: () => (acknowledging = true),
    close: async () => {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
    },
  };
}

describe('outbox across an app restart', () => {
  it('delivers every QoS 1 message queued before the app was closed, in order', async () => {
    const dataDir = tempDir();
    const secrets = new MemorySecretStore();
    const first = await startTestCore({ embeddedSandbox: false, dataDir, secrets });
    const profile = (await first.core.call('profiles.save', { name: 'offline', kind: 'mqtt', url: broker.url, subscriptions: [] })) as ProfileDTO;
    const sent: string[] = [];
    for (let i = 0; i < 30; i++) {
      const data = JSON.stringify({ i, note: 'queued while offline' });
      const r = (await first.core.call('messages.publish', { profileId: profile.id, topic: 'restart/t', data, qos: 1 })) as { status: string };
      expect(r.status).toBe('queued');
      sent.push(data);
    }
    await first.close();

    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'restart-watch' });
    await subscriber.subscribeAsync('restart/#', { qos: 1 });
    const received: string[] = [];
    subscriber.on('message', (_t, p) => received.push(p.toString()));

    const second = await startTestCore({ embeddedSandbox: false, dataDir, secrets });
    expect(second.core.services.outbox.count(profile.id)).toBe(30);
    await second.core.call('sessions.connect', { profileId: profile.id });
    await waitFor(() => received.length >= 30, 'all delivered after restart', 20_000);
    expect(received).toEqual(sent);
    await waitFor(() => second.core.services.outbox.count(profile.id) === 0, 'outbox empty');
    await subscriber.endAsync();
    await second.close();
  });

  it('a message published while connected stays in the outbox until its PUBACK, so a restart before it still delivers it', { timeout: 30_000 }, async () => {
    const { broker, url, acknowledge, close } = await startHoldingBroker();
    try {
      const dataDir = tempDir();
      const secrets = new MemorySecretStore();
      const first = await startTestCore({ embeddedSandbox: false, dataDir, secrets });
      const profile = (await first.core.call('profiles.save', { name: 'slow', kind: 'mqtt', url, subscriptions: [] })) as ProfileDTO;
      await first.core.call('sessions.connect', { profileId: profile.id });
      await waitFor(() => first.core.services.sessions.state(profile.id).status === 'connected', 'connected');
      const data = JSON.stringify({ note: 'sent while connected, never acknowledged' });
      const r = (await first.core.call('messages.publish', { profileId: profile.id, topic: 'slow/t', data, qos: 1 })) as { status: string };
      expect(r.status).toBe('queued'); // no PUBACK in time: the user is told it waits in the outbox
      expect(first.core.services.outbox.count(profile.id)).toBe(1);
      await first.close(); // the app goes away before the PUBACK

      acknowledge();
      const received: string[] = [];
      broker.on('publish', (packet, client) => {
        if (client && packet.topic === 'slow/t') received.push(packet.payload.toString());
      });
      const second = await startTestCore({ embeddedSandbox: false, dataDir, secrets });
      await second.core.call('sessions.connect', { profileId: profile.id });
      await waitFor(() => second.core.services.outbox.count(profile.id) === 0, 'the outbox delivered after restart', 15_000);
      expect(received).toContain(data);
      await second.close();
    } finally {
      await close();
    }
  });

  it('disconnecting while a message waits for its PUBACK closes the socket, and reconnecting delivers it', { timeout: 30_000 }, async () => {
    const { broker, url, acknowledge, close } = await startHoldingBroker();
    const t = await startTestCore({ embeddedSandbox: false, dataDir: tempDir(), secrets: new MemorySecretStore() });
    try {
      const profile = (await t.core.call('profiles.save', { name: 'held', kind: 'mqtt', url, subscriptions: [] })) as ProfileDTO;
      await t.core.call('sessions.connect', { profileId: profile.id });
      await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'connected');
      const data = JSON.stringify({ note: 'in flight at disconnect' });
      const r = (await t.core.call('messages.publish', { profileId: profile.id, topic: 'held/t', data, qos: 1 })) as { status: string };
      expect(r.status).toBe('queued');
      await t.core.call('sessions.disconnect', { profileId: profile.id });
      await waitFor(() => broker.connectedClients === 0, 'the socket closed on disconnect');

      acknowledge();
      const received: string[] = [];
      broker.on('publish', (packet, client) => {
        if (client && packet.topic === 'held/t') received.push(packet.payload.toString());
      });
      await t.core.call('sessions.connect', { profileId: profile.id });
      await waitFor(() => t.core.services.outbox.count(profile.id) === 0, 'the outbox delivered after reconnecting', 15_000);
      expect(received).toContain(data);
      expect(broker.connectedClients).toBe(1);
      // and the outbox keeps working: the next message goes straight out
      const next = (await t.core.call('messages.publish', { profileId: profile.id, topic: 'held/t', data: '"next"', qos: 1 })) as { status: string };
      expect(next.status).toBe('sent');
    } finally {
      await t.close();
      await close();
    }
  });
});
