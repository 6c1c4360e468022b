/**
 * Saving a profile that has a live session restarts that session with the new settings — no Disconnect and
 * Connect by hand — against real brokers on loopback (Mosquitto, the embedded sandbox).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SavedProfile, SessionState } from '../../electron/api.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { freePort, startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let t: TestCore;
let broker: Mosquitto;
const states: SessionState[] = [];

beforeAll(async () => {
  [t, broker] = await Promise.all([startTestCore({ demoSensor: false }), startMosquitto()]);
  t.core.bus.subscribe((event, data) => {
    if (event === 'session.state') states.push(data as SessionState);
  });
});
afterAll(async () => {
  await t?.close();
  await broker?.stop();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
const stateOf = (profileId: string) => t.core.services.sessions.state(profileId);
const demo = () => t.core.services.sandbox!.demo!;

describe('editing a profile with a live session', () => {
  it('a reconnecting profile whose URL is corrected connects to the new broker, and the old error is gone', async () => {
    const nobody = `mqtt://127.0.0.1:${await freePort()}`; // nothing listens there
    const profile = await call<SavedProfile>('profiles.save', { name: 'typo', kind: 'mqtt', url: nobody, subscriptions: ['#'] });
    await call('sessions.connect', { profileId: profile.id });
    const failing = await waitFor(
      () => (stateOf(profile.id).status === 'reconnecting' && stateOf(profile.id).error ? stateOf(profile.id) : null),
      'reconnecting with an error',
    );
    expect(failing.error).toMatch(/127\.0\.0\.1/);

    const seen = states.length;
    const saved = await call<SavedProfile>('profiles.save', { id: profile.id, name: 'typo', kind: 'mqtt', url: broker.url });
    expect(saved.restarted).toBe(true);
    expect(saved.url).toBe(broker.url);
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected to the corrected URL');
    // after the old session's 'closed', every state is the new session's: the old URL's error never returns
    const after = states.slice(seen).filter((s) => s.profileId === profile.id && s.status !== 'closed');
    expect(after[0]?.status).toBe('connecting');
    expect(after.map((s) => s.error).filter(Boolean)).toEqual([]);
    await call('sessions.disconnect', { profileId: profile.id });
  });

  it('renaming a connected profile leaves its session alone', async () => {
    const profile = await call<SavedProfile>('profiles.save', {
      name: 'plain',
      kind: 'mqtt',
      url: broker.url,
      subscriptions: ['#'],
    });
    await call('sessions.connect', { profileId: profile.id });
    const connected = await waitFor(() => (stateOf(profile.id).status === 'connected' ? stateOf(profile.id) : null), 'connected');
    const saved = await call<SavedProfile>('profiles.save', { id: profile.id, name: 'renamed', kind: 'mqtt', url: broker.url });
    expect(saved.restarted).toBeUndefined();
    expect(stateOf(profile.id)).toMatchObject({ status: 'connected', since: connected.since });
    await call('sessions.disconnect', { profileId: profile.id });
  });

  it('a failed profile (token refused) connects once the token is corrected', async () => {
    const profile = await call<SavedProfile>('profiles.save', {
      name: 'wrong token',
      kind: 'sandbox',
      secret: 'token_not-the-demo-token',
      secretMode: 'ask',
      subscriptions: ['demo/#'],
    });
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => stateOf(profile.id).status === 'failed', 'refused');
    const saved = await call<SavedProfile>('profiles.save', {
      id: profile.id,
      name: 'wrong token',
      kind: 'sandbox',
      secret: demo().token,
    });
    expect(saved.restarted).toBe(true);
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected with the corrected token');
    await call('sessions.disconnect', { profileId: profile.id });
  });

  it('a session connected with a secret typed at connect restarts with that secret', async () => {
    const profile = await call<SavedProfile>('profiles.save', {
      name: 'ask me',
      kind: 'sandbox',
      secretMode: 'ask',
      subscriptions: ['demo/#'],
    });
    expect(profile.hasSecret).toBe(false);
    await call('sessions.connect', { profileId: profile.id, secret: demo().token });
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected with the typed token');
    const saved = await call<SavedProfile>('profiles.save', { id: profile.id, name: 'ask me', kind: 'sandbox', tls: true });
    expect(saved.restarted).toBe(true);
    await waitFor(() => stateOf(profile.id).status === 'connected', 'connected again over TLS');
    await call('sessions.disconnect', { profileId: profile.id });
  });

  it('a profile that is off stays off after an edit', async () => {
    const profile = await call<SavedProfile>('profiles.save', { name: 'off', kind: 'mqtt', url: broker.url });
    const saved = await call<SavedProfile>('profiles.save', { id: profile.id, name: 'off', kind: 'mqtt', url: `${broker.url}/` });
    expect(saved.restarted).toBeUndefined();
    expect(stateOf(profile.id).status).toBe('idle');
  });
});
