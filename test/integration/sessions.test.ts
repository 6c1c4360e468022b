/**
 * Sessions against real brokers on loopback: the embedded sandbox (token, legacy token:, secret key,
 * TLS with its CA, a rejected token) and Mosquitto as a generic broker (TLS, outage, outbox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { EventName, EventPayloads, MessageDTO, ProfileDTO, SessionState } from '../../electron/api.js';
import { Session, type SessionConfig } from '../../electron/core/session/session.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let t: TestCore;
const events: { event: EventName; data: unknown }[] = [];

beforeAll(async () => {
  t = await startTestCore({ demoSensor: true });
  t.core.bus.subscribe((event, data) => events.push({ event, data }));
});
afterAll(async () => {
  await t?.close();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
const demo = () => t.core.services.sandbox!.demo!;
const stateOf = (profileId: string) => t.core.services.sessions.state(profileId);

async function addProfile(input: Record<string, unknown>): Promise<ProfileDTO> {
  return call<ProfileDTO>('profiles.save', input);
}

function messagesFor(profileId: string, topic: string): MessageDTO[] {
  return events
    .filter((e) => e.event === 'messages.batch')
    .flatMap((e) => (e.data as EventPayloads['messages.batch']).messages)
    .filter((m) => m.profileId === profileId && m.topic === topic);
}

describe('sessions on the sandbox', () => {
  it('the built-in sandbox profile is connected with the demo token and receives demo readings', async () => {
    await waitFor(() => stateOf('sandbox').status === 'connected', 'sandbox session connected');
    const reading = await waitFor(() => messagesFor('sandbox', 'demo/temperature')[0], 'a demo reading');
    expect(typeof reading.envelope?.data).toBe('number');
  });

  for (const [label, credential, credentialType] of [
    ['token_ channel token', () => demo().token, 'channelToken'],
    ['legacy token: form', () => `token:${demo().token}`, 'channelToken'],
    ['account secret key', () => demo().secretKey, 'secretKey'],
  ] as const) {
    it(`connects with the ${label}, subscribes and publishes`, async () => {
      const profile = await addProfile({
        name: `sbx ${label}`,
        kind: 'sandbox',
        credentialType,
        secret: credential(),
        secretMode: 'ask',
        subscriptions: ['demo/#'],
      });
      expect(profile.hasSecret).toBe(true);
      expect(JSON.stringify(profile)).not.toContain(demo().token);
      await call('sessions.connect', { profileId: profile.id });
      await waitFor(() => stateOf(profile.id).status === 'connected', `${label} connected`);
      const result = await call<{ status: string }>('messages.publish', {
        profileId: profile.id,
        topic: 'demo/humidity',
        data: `{"probe": "${label}"}`,
        qos: 1,
      });
      expect(result.status).toBe('sent');
      const echoed = await waitFor(
        () => messagesFor(profile.id, 'demo/humidity').find((m) => m.preview.includes(label)),
        `${label} echo`,
      );
      expect(echoed.envelope?.data).toEqual({ probe: label });
      await call('sessions.disconnect', { profileId: profile.id });
    });
  }

  it('connects over TLS with the sandbox CA', async () => {
    const profile = await addProfile({
      name: 'sbx tls',
      kind: 'sandbox',
      tls: true,
      secret: demo().token,
      secretMode: 'ask',
      subscriptions: ['demo/#'],
    });
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => stateOf(profile.id).status === 'connected', 'TLS session connected');
    await waitFor(() => messagesFor(profile.id, 'demo/temperature')[0], 'a reading over TLS');
    await call('sessions.disconnect', { profileId: profile.id });
  });

  it('a rejected token fails once with an actionable error and does not retry', async () => {
    const profile = await addProfile({ name: 'sbx bad', kind: 'sandbox', secret: 'token_WRONGwrongWRONG12', secretMode: 'ask' });
    const before = events.length;
    await call('sessions.connect', { profileId: profile.id });
    const failed = await waitFor(() => (stateOf(profile.id).status === 'failed' ? stateOf(profile.id) : null), 'failed state');
    expect(failed.error).toMatch(/credential rejected by the sandbox .*CONNACK 5.*check the channel token/);
    expect(failed.error).not.toContain('WRONGwrong');
    await new Promise((r) => setTimeout(r, 2500));
    const attempts = events
      .slice(before)
      .filter((e) => e.event === 'session.state' && (e.data as SessionState).profileId === profile.id)
      .map((e) => (e.data as SessionState).status);
    expect(attempts).not.toContain('reconnecting');
    expect(attempts.filter((s) => s === 'connecting')).toHaveLength(1);
    expect(stateOf(profile.id).status).toBe('failed');
  });

  it('refuses a topic that breaks the Beebotte rules before sending', async () => {
    await expect(call('messages.publish', { profileId: 'sandbox', topic: 'demo/a/b', data: '1' })).rejects.toThrow(
      /channel\/resource/,
    );
    await expect(call('messages.publish', { profileId: 'sandbox', topic: 'demo/temperature', data: '{bad' })).rejects.toThrow(
      /not valid JSON/,
    );
  });
});

describe('what the broker refuses', () => {
  const sessionStates = (profileId: string, from = 0) =>
    events
      .slice(from)
      .filter((e) => e.event === 'session.state' && (e.data as SessionState).profileId === profileId)
      .map((e) => e.data as SessionState);
  const refusalsOf = (profileId: string) =>
    t.logs.filter((l) => l.includes(`apiary-${profileId}-`) && l.includes('refused (SUBACK 0x80)')).length;

  it(
    'a QoS 1 message that makes the broker close the connection is moved to the dead letters after 3 strikes; the rest is delivered',
    { timeout: 60_000 },
    async () => {
      const profile = await addProfile({
        name: 'sbx poison',
        kind: 'sandbox',
        secret: demo().token,
        secretMode: 'ask',
        subscriptions: ['demo/#'],
      });
      await call('sessions.connect', { profileId: profile.id });
      await waitFor(() => stateOf(profile.id).status === 'connected', 'connected');
      const before = events.length;
      // write:true to a resource that does not exist: the sandbox (like Beebotte) closes the connection
      const poison = await call<{ status: string }>('messages.publish', {
        profileId: profile.id,
        topic: 'demo/missing',
        data: '1',
        write: true,
        qos: 1,
      });
      expect(poison.status).toBe('queued');
      const probes = ['after-1', 'after-2', 'after-3'];
      for (const probe of probes) {
        await call('messages.publish', { profileId: profile.id, topic: 'demo/humidity', data: `{"probe": "${probe}"}`, qos: 1 });
      }
      await waitFor(
        () =>
          stateOf(profile.id).outbox === 0 &&
          probes.every((p) => messagesFor(profile.id, 'demo/humidity').some((m) => m.preview.includes(p))),
        'the outbox drained past the refused message',
        30_000,
      );
      const error = await waitFor(
        () => sessionStates(profile.id, before).find((s) => s.error?.includes('demo/missing'))?.error,
        'the error',
      );
      expect(error).toMatch(
        /the broker closed the connection each time demo\/missing was sent \(3 times\): check .*; the message was moved to the profile's dead letters/,
      );
      expect(t.core.services.outbox.peek(profile.id, 10)).toEqual([]);
      expect(t.core.services.outbox.deadLetters.list(profile.id).map((d) => d.topic)).toEqual(['demo/missing']);
      // every QoS 1 message goes through the outbox, the first try too: three strikes, then it stays up. A drop the
      // judge cannot pin on the message is no strike (within a second of CONNACK, or before the broker answered
      // anything on that connection: a SUBACK late on a loaded machine), so one or two more rounds are fine; more
      // would be a loop
      const statuses = sessionStates(profile.id, before).map((s) => s.status);
      expect([3, 4, 5]).toContain(statuses.filter((s, i) => s === 'reconnecting' && statuses[i - 1] !== 'reconnecting').length);
      await waitFor(() => stateOf(profile.id).status === 'connected', 'connected again');
      await call('sessions.disconnect', { profileId: profile.id });
    },
  );

  it('a refused subscription is reported, the other filters are still subscribed, and it is not retried on reconnect', async () => {
    const profile = await addProfile({
      name: 'sbx refused sub',
      kind: 'sandbox',
      secret: demo().token,
      secretMode: 'ask',
      subscriptions: ['elsewhere/temp', 'demo/#'],
    });
    await call('sessions.connect', { profileId: profile.id });
    // demo/# comes after the refused filter: its sendOnSubscribe values prove it was subscribed
    await waitFor(() => messagesFor(profile.id, 'demo/temperature')[0], 'a demo reading through demo/#');
    const state = await waitFor(() => (stateOf(profile.id).error ? stateOf(profile.id) : null), 'the refusal reported');
    expect(state.status).toBe('connected');
    expect(state.error).toMatch(/not allowed to subscribe to elsewhere\/temp .*: the token's rights do not cover it/);
    expect(refusalsOf(profile.id)).toBe(1);

    await expect(t.core.services.sessions.subscribe(profile.id, 'elsewhere/note')).rejects.toThrow(
      /not allowed to subscribe to elsewhere\/note .*: the token's rights do not cover it/,
    );
    expect(refusalsOf(profile.id)).toBe(2);

    // drop the connection (a QoS 0 publish outside the token's rights): the reconnect resubscribes only what was granted
    const before = events.length;
    const readings = messagesFor(profile.id, 'demo/temperature').length;
    await call('messages.publish', { profileId: profile.id, topic: 'elsewhere/temp', data: '1', qos: 0 });
    await waitFor(() => sessionStates(profile.id, before).some((s) => s.status === 'reconnecting'), 'the drop');
    await waitFor(() => stateOf(profile.id).status === 'connected', 'reconnected');
    await waitFor(() => messagesFor(profile.id, 'demo/temperature').length > readings, 'demo/# resubscribed');
    expect(refusalsOf(profile.id)).toBe(2);
    await call('sessions.disconnect', { profileId: profile.id });
  });

  it('the backoff grows while each connection drops right away, and starts over once one stayed up', async () => {
    const config = (stableAfterMs: number): SessionConfig => ({
      profileId: 'backoff-probe',
      url: t.core.services.sandbox!.urls.mqtt,
      displayHost: 'the sandbox',
      options: { username: demo().token, password: '', clientId: `apiary-backoff-${stableAfterMs}`, protocolVersion: 4 },
      subscriptions: [],
      credentialHint: 'check the token',
      backoff: { initialMs: 40, maxMs: 10_000, jitter: 0 },
      stableAfterMs,
    });
    // a clock that stands still: retryAt is then exactly the delay chosen
    const run = async (stableAfterMs: number, plan: ('drop' | 'settle-then-drop')[]) => {
      const session = new Session(config(stableAfterMs), { now: () => 0 });
      const delays: number[] = [];
      let previous = '';
      session.on('state', (s) => {
        if (s.status === 'reconnecting' && previous === 'connected') delays.push(s.retryAt ?? -1);
        previous = s.status;
      });
      let connects = 0;
      session.on('connected', () => {
        const step = plan[connects++];
        // a publish outside the token's rights: the sandbox closes the connection
        const drop = () => void session.publish('elsewhere/x', Buffer.from('1'), { qos: 0 }).catch(() => undefined);
        if (step === 'drop') drop();
        if (step === 'settle-then-drop') setTimeout(drop, stableAfterMs * 4);
      });
      session.connect();
      try {
        await waitFor(() => delays.length >= plan.length, `${plan.length} drops`, 20_000);
        await waitFor(() => connects > plan.length, 'connected after the last drop');
      } finally {
        await session.disconnect();
      }
      return delays;
    };
    expect(await run(60_000, ['drop', 'drop', 'drop', 'drop'])).toEqual([40, 80, 160, 320]);
    expect(await run(100, ['drop', 'drop', 'settle-then-drop'])).toEqual([40, 80, 40]);
  });

  it('deleting a profile deletes its queued outbox messages', async () => {
    const profile = await addProfile({ name: 'sbx doomed', kind: 'sandbox', secret: demo().token, secretMode: 'ask' });
    for (const n of [1, 2]) {
      const r = await call<{ status: string }>('messages.publish', {
        profileId: profile.id,
        topic: 'demo/humidity',
        data: String(n),
        qos: 1,
      });
      expect(r.status).toBe('queued');
    }
    expect(t.core.services.outbox.peek(profile.id, 10)).toHaveLength(2);
    await call('profiles.remove', { id: profile.id });
    expect(t.core.services.outbox.peek(profile.id, 10)).toEqual([]);
    expect(t.core.services.outbox.count(profile.id)).toBe(0);
  });
});

describe('Mosquitto as a generic broker', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({ tls: true, persistence: true });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('connects over TLS with a CA file, and refuses the same broker without it', async () => {
    const good = await addProfile({
      name: 'mosq tls',
      kind: 'mqtt',
      url: broker.tlsUrl,
      caFile: broker.caFile,
      subscriptions: ['#'],
    });
    await call('sessions.connect', { profileId: good.id });
    await waitFor(() => stateOf(good.id).status === 'connected', 'TLS connected');
    await call('sessions.disconnect', { profileId: good.id });

    const bad = await addProfile({ name: 'mosq tls no ca', kind: 'mqtt', url: broker.tlsUrl, subscriptions: ['#'] });
    await call('sessions.connect', { profileId: bad.id });
    const state = await waitFor(() => (stateOf(bad.id).error ? stateOf(bad.id) : null), 'a TLS error');
    expect(state.error).toMatch(/TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted/);
    await call('sessions.disconnect', { profileId: bad.id });
  });

  it('QoS 1 messages published during a broker outage are all delivered, in order, after it returns', async () => {
    // a persistent subscriber, so the broker keeps what arrives while it is offline too
    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'outage-watch', clean: false, reconnectPeriod: 200 });
    await subscriber.subscribeAsync('outage/#', { qos: 1 });
    const received: string[] = [];
    subscriber.on('message', (_t, payload) => received.push(payload.toString()));

    const profile = await addProfile({ name: 'mosq outage', kind: 'mqtt', url: broker.url, subscriptions: ['outage/#'] });
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected before the outage');

    await broker.stop('SIGTERM');
    await waitFor(() => ['reconnecting', 'connecting'].includes(stateOf(profile.id).status), 'the outage seen');
    const sent: string[] = [];
    for (let i = 0; i < 50; i++) {
      const data = JSON.stringify({ n: i });
      const r = await call<{ status: string }>('messages.publish', {
        profileId: profile.id,
        topic: `outage/m${i % 5}`,
        data,
        qos: 1,
      });
      expect(r.status).toBe('queued');
      sent.push(data);
    }
    expect(stateOf(profile.id).outbox).toBe(50);
    await expect(call('messages.publish', { profileId: profile.id, topic: 'outage/x', data: '1', qos: 0 })).rejects.toThrow(
      /QoS 0 messages are not queued/,
    );

    await broker.start();
    await waitFor(() => received.length >= 50, 'all 50 delivered', 30_000);
    expect(received).toEqual(sent);
    await waitFor(() => stateOf(profile.id).outbox === 0, 'outbox drained');
    await subscriber.endAsync();
    await call('sessions.disconnect', { profileId: profile.id });
  });
  it('a backlog drains while new QoS 1 publishes keep arriving: every message once at least, in the order it was queued', async () => {
    const subscriber = await mqtt.connectAsync(broker.url, { clientId: 'stream-watch', clean: false, reconnectPeriod: 200 });
    await subscriber.subscribeAsync('stream/#', { qos: 1 });
    const received: number[] = [];
    subscriber.on('message', (_t, payload) => received.push((JSON.parse(payload.toString()) as { n: number }).n));

    const profile = await addProfile({ name: 'mosq stream', kind: 'mqtt', url: broker.url, subscriptions: [] });
    const publish = (n: number) =>
      call<{ status: string }>('messages.publish', {
        profileId: profile.id,
        topic: `stream/m${n % 7}`,
        data: JSON.stringify({ n }),
        qos: 1,
      });
    for (let n = 0; n < 600; n++) expect((await publish(n)).status).toBe('queued'); // the backlog, while disconnected
    await call('sessions.connect', { profileId: profile.id });
    // more while the backlog drains, without waiting for each answer (a busy composer or script)
    const answers: Promise<{ status: string }>[] = [];
    for (let n = 600; n < 1400; n++) {
      answers.push(publish(n));
      if (n % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    for (const a of await Promise.all(answers)) expect(['sent', 'queued']).toContain(a.status);
    await waitFor(() => new Set(received).size >= 1400, 'all 1,400 delivered', 60_000);
    await waitFor(() => stateOf(profile.id).outbox === 0, 'outbox drained');
    // QoS 1 may repeat a message, never skip or reorder one: the first sighting of each is in order
    const firsts = received.filter((n, i) => received.indexOf(n) === i);
    expect(firsts).toEqual(Array.from({ length: 1400 }, (_, n) => n));
    await subscriber.endAsync();
    await call('sessions.disconnect', { profileId: profile.id });
  });
});
