/**
 * TLS on purpose wrong: a certificate from another CA, an expired one and one for another host are
 * each refused with a clear error in SessionState.error (what the connection list shows). Skipping
 * verification is an explicit per-profile choice, visible in the profile (verifyTls: false).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileDTO, SessionState } from '../../electron/api.js';
import { startTestCore, tempDir, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startTlsMosquitto, type TlsBroker } from '../tools/fault-tls.js';

let t: TestCore;
let broker: TlsBroker;

beforeAll(async () => {
  broker = await startTlsMosquitto(tempDir('apiary-fault-tls-'));
  t = await startTestCore({ embeddedSandbox: false });
});
afterAll(async () => {
  await t?.close();
  await broker?.stop();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
const stateOf = (id: string) => t.core.services.sessions.state(id);

async function connectAndSettle(input: Record<string, unknown>): Promise<{ profile: ProfileDTO; state: SessionState }> {
  const profile = await call<ProfileDTO>('profiles.save', { kind: 'mqtt', subscriptions: ['#'], ...input });
  await call('sessions.connect', { profileId: profile.id });
  const state = await waitFor(() => {
    const s = stateOf(profile.id);
    return s.status === 'connected' || s.error ? s : null;
  }, `${String(input.name)}: connected or an error`);
  await call('sessions.disconnect', { profileId: profile.id });
  return { profile, state };
}

describe('TLS verification', () => {
  it('connects to the good certificate with its CA (the control)', async () => {
    const { state } = await connectAndSettle({ name: 'good', url: broker.urls.good, caFile: broker.certs.ca });
    expect(state.status).toBe('connected');
    expect(state.error).toBeUndefined();
  });

  it('refuses a certificate signed by a CA the profile does not trust', async () => {
    const { state } = await connectAndSettle({ name: 'wrong ca', url: broker.urls.good, caFile: broker.certs.otherCa });
    expect(state.status).not.toBe('connected');
    expect(state.error).toMatch(/^TLS: the certificate of 127\.0\.0\.1:\d+ is not trusted \(\w+\): set the CA file in the profile$/);
  });

  it('refuses an expired certificate', async () => {
    const { state } = await connectAndSettle({ name: 'expired', url: broker.urls.expired, caFile: broker.certs.ca });
    expect(state.status).not.toBe('connected');
    expect(state.error).toMatch(/^TLS: the certificate of 127\.0\.0\.1:\d+ has expired$/);
  });

  it('refuses a certificate issued for another host', async () => {
    const { state } = await connectAndSettle({ name: 'wrong host', url: broker.urls.wrongHost, caFile: broker.certs.ca });
    expect(state.status).not.toBe('connected');
    expect(state.error).toMatch(/^TLS: the certificate does not name 127\.0\.0\.1:\d+: check the host name$/);
  });

  it('connects without verification only when the profile says so, and the profile shows it', async () => {
    const { profile, state } = await connectAndSettle({ name: 'unsafe', url: broker.urls.expired, verifyTls: false });
    expect(state.status).toBe('connected');
    const listed = (await call<ProfileDTO[]>('profiles.list', {})).find((p) => p.id === profile.id)!;
    expect(listed.verifyTls).toBe(false);
    // every other profile verifies by default
    const others = (await call<ProfileDTO[]>('profiles.list', {})).filter((p) => p.id !== profile.id);
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((p) => p.verifyTls)).toBe(true);
  });
});
