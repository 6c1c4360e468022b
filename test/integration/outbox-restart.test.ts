/** The outbox survives closing the app: messages queued offline are delivered after a restart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
