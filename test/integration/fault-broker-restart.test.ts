/**
 * The broker dies (SIGKILL) mid-stream and comes back on the same port: the session shows the outage
 * (session.state reconnecting → connected, what the connection list renders) and every QoS 1 message
 * published through the contract during the outage arrives — checked by a consumer that is not Apiary.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { ProfileDTO, PublishResult, SessionState, SessionStatus } from '../../electron/api.js';
import { startTestCore, tempDir, waitFor, type TestCore } from '../tools/core-fixture.js';
import { freePort, startMosquitto, type Mosquitto } from '../tools/mosquitto.js';
import { startSandboxChild, type Child } from '../tools/fault-child.js';

let t: TestCore;
const states: SessionState[] = [];

beforeAll(async () => {
  t = await startTestCore({ embeddedSandbox: false });
  t.core.bus.subscribe((event, data) => {
    if (event === 'session.state') states.push(data as SessionState);
  });
});
afterAll(async () => {
  await t?.close();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
const stateOf = (id: string) => t.core.services.sessions.state(id);
const statusesOf = (id: string): SessionStatus[] => states.filter((s) => s.profileId === id).map((s) => s.status);

/**
 * Publishes `count` QoS 1 messages one after another; `kill` runs after `killAfter` of them, without
 * waiting for the stream to settle (mid-stream). Returns what the app accepted ('sent' or 'queued').
 */
async function streamWithKill(
  profileId: string,
  topic: string,
  data: (i: number) => string,
  count: number,
  killAfter: number,
  kill: () => Promise<void>,
): Promise<{ data: string; status: PublishResult['status'] }[]> {
  const accepted: { data: string; status: PublishResult['status'] }[] = [];
  let killing: Promise<void> | null = null;
  for (let i = 0; i < count; i++) {
    if (i === killAfter) killing = kill();
    const text = data(i);
    const result = await call<PublishResult>('messages.publish', { profileId, topic, data: text, qos: 1, raw: true });
    accepted.push({ data: text, status: result.status });
  }
  await killing;
  return accepted;
}

function expectOutageShown(profileId: string, fromIndex: number): void {
  const seen = statusesOf(profileId).slice(fromIndex);
  const reconnecting = seen.indexOf('reconnecting');
  expect(reconnecting, `states seen: ${seen.join(' → ')}`).toBeGreaterThanOrEqual(0);
  expect(seen.slice(reconnecting)).toContain('connected');
}

describe('sandbox killed and restarted on the same ports', () => {
  let sandbox: Child & { mqtt: string; http: string; token: string };
  const dataDir = tempDir('apiary-fault-sbx-');
  afterAll(async () => {
    await sandbox?.stop();
  });

  it('recovers the session and delivers every QoS 1 message (sandbox persisted each one)', async () => {
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    sandbox = await startSandboxChild(dataDir, mqttPort, httpPort);
    // a generic profile on the sandbox's fixed URL (the built-in sandbox profile follows the embedded one)
    const profile = await call<ProfileDTO>('profiles.save', {
      name: 'sandbox child',
      kind: 'mqtt',
      url: sandbox.mqtt,
      username: sandbox.token,
      subscriptions: ['demo/#'],
    });
    // a token as the username is a secret: in the vault, not in profiles.json
    expect(profile).toMatchObject({ usernameIsSecret: true, usernameStored: true });
    expect(fs.readFileSync(path.join(t.dataDir, 'profiles.json'), 'utf8')).not.toContain(sandbox.token);
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected to the sandbox');
    const mark = statusesOf(profile.id).length;

    const token = sandbox.token;
    const accepted = await streamWithKill(
      profile.id,
      'demo/temperature',
      (i) => JSON.stringify({ data: i, write: true }),
      60,
      20,
      async () => {
        await sandbox.kill();
        expect(sandbox.process.signalCode).toBe('SIGKILL');
      },
    );
    expect(accepted.filter((a) => a.status === 'queued').length).toBeGreaterThan(0);
    await waitFor(() => statusesOf(profile.id).slice(mark).includes('reconnecting'), 'the outage shown as reconnecting');
    expect(stateOf(profile.id).outbox).toBeGreaterThan(0);

    sandbox = await startSandboxChild(dataDir, mqttPort, httpPort);
    expect(sandbox.token).toBe(token); // same data dir: same demo account
    await waitFor(() => stateOf(profile.id).status === 'connected', 'reconnected after the restart', 20_000);
    await waitFor(() => stateOf(profile.id).outbox === 0, 'outbox drained', 20_000);
    expectOutageShown(profile.id, mark);

    // the independent check: the sandbox's own stored records, read over its REST API
    const res = await fetch(`${sandbox.http}/v1/data/read/demo/temperature?limit=1000`, {
      headers: { 'X-Auth-Token': token },
      signal: AbortSignal.timeout(8000),
    });
    expect(res.status).toBe(200);
    const stored = new Set(((await res.json()) as { data: number }[]).map((r) => r.data));
    const missing = accepted.map((_, i) => i).filter((i) => !stored.has(i));
    expect(missing).toEqual([]);
    await call('sessions.disconnect', { profileId: profile.id });
  }, 60_000); // the child sandbox takes seconds to start, and the reconnect backoff grows meanwhile
});

describe('Mosquitto killed and restarted on the same port', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('recovers the session and an independent persistent subscriber gets every QoS 1 message', async () => {
    // a persistent QoS 1 subscriber: the broker keeps what arrives while it is away (also across its restart)
    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'fault-watch', clean: false, reconnectPeriod: 200 });
    await subscriber.subscribeAsync('fault/#', { qos: 1 });
    const received: string[] = [];
    subscriber.on('message', (_topic, payload) => received.push(payload.toString()));
    const subscribedAt = Date.now();
    const dbFile = path.join(broker.dir, 'mosquitto.db');
    // the subscription must be on disk before the SIGKILL, or the broker forgets it (not Apiary's doing)
    await waitFor(() => fs.existsSync(dbFile) && fs.statSync(dbFile).mtimeMs > subscribedAt, 'mosquitto autosave');

    const profile = await call<ProfileDTO>('profiles.save', { name: 'mosquitto', kind: 'mqtt', url: broker.url, subscriptions: ['fault/#'] });
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected to mosquitto');
    const mark = statusesOf(profile.id).length;

    const accepted = await streamWithKill(
      profile.id,
      'fault/stream',
      (i) => JSON.stringify({ n: i, text: `message ${i} of the stream` }),
      80,
      25,
      () => broker.stop('SIGKILL'),
    );
    expect(accepted.filter((a) => a.status === 'queued').length).toBeGreaterThan(0);
    await waitFor(() => statusesOf(profile.id).slice(mark).includes('reconnecting'), 'the outage shown as reconnecting');

    await broker.start();
    await waitFor(() => stateOf(profile.id).status === 'connected', 'reconnected after the restart', 20_000);
    await waitFor(() => stateOf(profile.id).outbox === 0, 'outbox drained', 20_000);
    expectOutageShown(profile.id, mark);
    // QoS 1 is at least once: duplicates are allowed, a gap is not
    await waitFor(() => accepted.every((a) => received.includes(a.data)), 'every accepted message received', 20_000).catch(() => undefined);
    const missing = accepted.filter((a) => !received.includes(a.data)).map((a) => `${a.status}: ${a.data}`);
    expect(missing).toEqual([]);
    await subscriber.endAsync();
    await call('sessions.disconnect', { profileId: profile.id });
  });
});
