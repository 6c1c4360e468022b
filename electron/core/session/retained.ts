import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import type { ClearRetainedResult } from '../../api.js';

/** Where to connect: a session's config, or the command line's target. */
export interface RetainedTarget {
  url: string;
  displayHost: string;
  options: IClientOptions;
}

/** After the SUBACK, retained messages arrive at once; this long with none new means the broker sent them all. */
const QUIET_MS = 400;
/** Never wait longer than this for the retained messages of one filter. */
const MAX_COLLECT_MS = 5000;
const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Clears the retained messages under a filter: a fresh connection (its own client id, so the user's session is
 * not taken over) subscribes, collects what the broker sends as retained, publishes an empty retained payload
 * to each topic (QoS 1: the broker acknowledged each), then subscribes again on another fresh connection to
 * verify none is left. Without `confirm` it only counts (what the desk shows before the user confirms).
 */
export async function clearRetained(config: RetainedTarget, filter: string, confirm: boolean): Promise<ClearRetainedResult> {
  const found = await collectRetained(config, filter);
  if (!confirm || found.length === 0) return { found, cleared: 0, remaining: confirm ? [] : found };
  const client = await connectFresh(config);
  try {
    await Promise.all(found.map((topic) => client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true })));
  } finally {
    await client.endAsync(false).catch(() => undefined);
  }
  const remaining = await collectRetained(config, filter);
  return { found, cleared: found.length - remaining.filter((t) => found.includes(t)).length, remaining };
}

/** The topics under `filter` that hold a retained message now (sorted). */
export async function collectRetained(config: RetainedTarget, filter: string): Promise<string[]> {
  const client = await connectFresh(config);
  try {
    const topics = new Set<string>();
    let last = Date.now();
    client.on('message', (topic, payload, packet) => {
      // an empty retained payload is a delete, never a retained message
      if (packet.retain && payload.length > 0) {
        topics.add(topic);
        last = Date.now();
      }
    });
    await client.subscribeAsync(filter, { qos: 0 });
    last = Date.now();
    const started = last;
    for (let i = 0; i < MAX_COLLECT_MS / 50; i++) {
      const now = Date.now();
      if (now - last >= QUIET_MS || now - started >= MAX_COLLECT_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return [...topics].sort();
  } finally {
    await client.endAsync(false).catch(() => undefined);
  }
}

function connectFresh(config: RetainedTarget): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const { will: _will, clientId, ...options } = config.options;
    const client = mqtt.connect(config.url, {
      ...options,
      // a suffix of its own: the same client id would take the running session over
      clientId: `${(clientId ?? 'apiary').slice(0, 40)}-r${randomBytes(3).toString('hex')}`,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      clean: true,
    });
    const fail = (err: Error) => {
      client.end(true);
      reject(new Error(`cannot reach ${config.displayHost} to clear retained messages: ${err.message}`));
    };
    client.once('error', fail);
    client.once('close', () => fail(new Error('connection closed')));
    client.once('connect', () => {
      client.removeAllListeners('error');
      client.removeAllListeners('close');
      client.on('error', () => undefined);
      resolve(client);
    });
  });
}
