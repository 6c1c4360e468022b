/**
 * A topic's History loads while a flood is still arriving (a bounded ~10,000 msg/s burst from Mosquitto on
 * loopback): the store's reads wait for the writes handed over before them, not for the flood to stop. The
 * rows carry what the chart plots: `{"data": 21.0, "seq": …}` charts its `data` field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { MessageDTO, ProfileDTO } from '../../electron/api.js';
import { numberOf } from '../../renderer/src/lib/payload.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

const FLOOD = 60_000; // bounded: about 6 s at 10,000 msg/s
const PER_TICK = 100; // 100 messages every 10 ms ≈ 10,000 msg/s

let t: TestCore;
let broker: Mosquitto;
beforeAll(async () => {
  [t, broker] = await Promise.all([startTestCore({ embeddedSandbox: false }), startMosquitto()]);
});
afterAll(async () => {
  await t?.close();
  await broker?.stop();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;

describe('History under a flood', () => {
  it('answers while the flood is still arriving, with the data field the chart plots', { timeout: 60_000 }, async () => {
    const profile = await call<ProfileDTO>('profiles.save', {
      name: 'flooded',
      kind: 'mqtt',
      url: broker.url,
      subscriptions: ['#'],
    });
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'connected');

    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'flood-source' });
    let sent = 0;
    let stop = false;
    const flood = (async () => {
      while (!stop && sent < FLOOD) {
        for (let i = 0; i < PER_TICK; i++) publisher.publish('flood/data', `{"data": 21.0, "seq": ${sent++}}`, { qos: 0 });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    try {
      // the flood is flowing into the store before we ask
      await waitFor(
        () => (t.core.services.topics.list(profile.id, Date.now())[0]?.count ?? 0) > 2000,
        'the flood arriving',
        20_000,
      );
      const history = await call<MessageDTO[]>('messages.history', { profileId: profile.id, topic: 'flood/data', limit: 500 });
      const sentWhenAnswered = sent;
      const stats = await call<{ count: number; received: number }>('messages.stats', {});
      expect(sentWhenAnswered).toBeLessThan(FLOOD); // it did not wait for the flood to end
      expect(history.length).toBe(500);
      expect(history[0]!.envelope?.data).toBe(21);
      expect(history.map(numberOf).every((v) => v === 21)).toBe(true);
      expect(stats.received).toBeGreaterThan(2000);
    } finally {
      stop = true;
      await flood;
      await publisher.endAsync();
    }
    const rate = t.core.services.topics.list(profile.id, Date.now())[0]?.rate ?? 0;
    console.log(`flood: ${sent} sent; the topic's rate at the end ${rate.toFixed(0)} msg/s (10 s window)`);
  });
});
