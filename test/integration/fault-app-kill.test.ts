/**
 * Apiary is killed (SIGKILL) while its outbox holds messages and while the store is mid-write (a flood
 * is being ingested): on restart the database opens cleanly (integrity_check ok), no committed message
 * is lost, and every queued QoS 1 message is still there and gets delivered.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { ProfileDTO, PublishResult } from '../../electron/api.js';
import { openDatabase, Outbox } from '../../electron/core/store/index.js';
import { startTestCore, tempDir, waitFor } from '../tools/core-fixture.js';
import { freePort, startMosquitto, type Mosquitto } from '../tools/mosquitto.js';
import { startCoreChild, type CoreChild } from '../tools/fault-child.js';

let broker: Mosquitto;
let app: CoreChild | null = null;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await app?.kill();
  await broker?.stop();
});

/** Floods `flood/…` with 1 KiB QoS 0 messages until stopped (bounded by a message cap). */
function startFlood(client: MqttClient): { stop(): Promise<void>; sent(): number } {
  let running = true;
  let sent = 0;
  const payload = Buffer.alloc(1024, 'x');
  const loop = (async () => {
    while (running && sent < 2_000_000) {
      for (let i = 0; i < 50; i++) client.publish(`flood/${sent++ % 10}`, payload, { qos: 0 });
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
    },
  };
}

describe('SIGKILL with a full outbox, mid-write', () => {
  it('reopens cleanly, keeps every committed message and delivers the outbox', async () => {
    const dataDir = tempDir('apiary-fault-kill-');
    app = await startCoreChild(dataDir);

    const deadPort = await freePort(); // nothing listens there: the outbox fills
    const offline = await app.call<ProfileDTO>('profiles.save', { name: 'offline', kind: 'mqtt', url: `mqtt://127.0.0.1:${deadPort}`, subscriptions: [] });
    const live = await app.call<ProfileDTO>('profiles.save', { name: 'live', kind: 'mqtt', url: broker.url, subscriptions: ['flood/#'] });
    await app.call('sessions.connect', { profileId: offline.id });
    await app.call('sessions.connect', { profileId: live.id });

    const flooder = await mqtt.connectAsync(broker.url, { clientId: 'flooder' });
    const flood = startFlood(flooder);

    // queue messages, several in flight at a time, and remember which the app acknowledged as queued
    const acked: string[] = [];
    let stats = { messages: 0, outbox: 0 };
    let next = 0;
    const queueSome = async (n: number) => {
      const batch = Array.from({ length: n }, () => JSON.stringify({ seq: next++, note: 'queued before the crash' }));
      await Promise.all(
        batch.map(async (data) => {
          const r = await app!.call<PublishResult>('messages.publish', { profileId: offline.id, topic: 'outbox/t', data, qos: 1 });
          if (r.status === 'queued') acked.push(data);
        }),
      );
    };
    await waitFor(
      async () => {
        await queueSome(5);
        stats = await app!.call<{ messages: number; outbox: number }>('__stats', { profileId: offline.id });
        return acked.length >= 50 && stats.messages >= 1500;
      },
      'an outbox of 50 and 1500 stored flood messages',
      25_000,
    );
    // kill with more publishes in flight and the flood still being written
    const inFlight = queueSome(10).catch(() => undefined);
    await app.kill();
    await inFlight;
    expect(app.process.signalCode).toBe('SIGKILL');
    await flood.stop();
    await flooder.endAsync(true);
    app = null;

    // the database opens cleanly and holds everything that was committed
    const db = openDatabase(path.join(dataDir, 'apiary.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const storedCount = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    expect(storedCount).toBeGreaterThanOrEqual(stats.messages);
    const outboxRows = new Outbox(db).peek(offline.id, 10_000).map((i) => i.payload.toString());
    expect(acked.filter((d) => !outboxRows.includes(d))).toEqual([]);
    db.close();

    // restart Apiary on the same data dir, point the profile at the live broker: the outbox drains
    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'outbox-watch' });
    await subscriber.subscribeAsync('outbox/#', { qos: 1 });
    const received: string[] = [];
    subscriber.on('message', (_t, p) => received.push(p.toString()));
    const again = await startTestCore({ embeddedSandbox: false, dataDir });
    try {
      expect(again.core.services.outbox.count(offline.id)).toBe(outboxRows.length);
      await again.core.call('profiles.save', { id: offline.id, name: 'offline', kind: 'mqtt', url: broker.url, subscriptions: [] });
      await again.core.call('sessions.connect', { profileId: offline.id });
      await waitFor(() => received.length >= outboxRows.length, `all ${outboxRows.length} queued messages delivered`, 20_000);
      expect(received).toEqual(outboxRows); // in order, each once
      expect(acked.filter((d) => !received.includes(d))).toEqual([]);
      await waitFor(() => again.core.services.outbox.count(offline.id) === 0, 'outbox empty');
    } finally {
      await subscriber.endAsync();
      await again.close();
    }
  }, 60_000);
});
