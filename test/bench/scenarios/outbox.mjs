/**
 * Figure 7: 10,000 QoS 1 messages queued while disconnected (messages.publish → persistent outbox),
 * then sessions.connect; msg/s from CONNACK to an empty outbox. A separate counting subscriber checks
 * that every message really arrived.
 */
import path from 'node:path';
import { benchDir, sleep, startChild } from '../lib/proc.mjs';

export async function runOutbox({ broker, count }) {
  const witness = startChild(path.join(benchDir, 'children', 'counter.mjs'), { url: broker.url, filter: 'bench/outbox/#', qos: 1 }, { maxMs: 240_000 });
  const c = startChild(path.join(benchDir, 'children', 'outbox.mjs'), { url: broker.url, count, topic: 'bench/outbox' }, { maxMs: 240_000 });
  try {
    await witness.waitFor((m) => m.type === 'ready', 20_000, 'ready');
    const queued = await c.waitFor((m) => m.type === 'queued', 180_000, 'queued messages');
    const drained = await c.waitFor((m) => m.type === 'drained', 150_000, 'drained outbox');
    await sleep(400);
    const ticks = witness.messages.filter((m) => m.type === 'tick');
    const delivered = ticks[ticks.length - 1]?.n ?? 0;
    return {
      queued: queued.queued,
      queueMs: queued.ms,
      drainMs: drained.ms,
      left: drained.left,
      delivered,
      rate: drained.left === 0 ? count / (drained.ms / 1000) : NaN,
    };
  } finally {
    await Promise.all([c.stop(), witness.stop()]);
  }
}
