/**
 * Regenerating a channel token from Apiary: a client on the old token is dropped, Apiary's own profile that
 * used it gets the new token in the OS keychain (read back through keytar) and reconnects by itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { ChannelInfo, ProfileDTO } from '../../electron/api.js';
import { KeytarSecretStore, accountFor } from '../../electron/core/vault/index.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';

const keyring = process.env.APIARY_TEST_KEYRING === '1';
let t: TestCore;
const keychain = new KeytarSecretStore({ service: `Apiary-test-${process.pid}` });

beforeAll(async () => {
  if (!keyring) return;
  t = await startTestCore({ demoSensor: false, secrets: keychain });
});
afterAll(async () => {
  await t?.close();
});

describe.skipIf(!keyring)('regenerate a channel token (run under test/tools/with-keyring.sh)', () => {
  it('drops old-token clients, stores the new token in the keychain, and reconnects Apiary on it', async () => {
    const call = <T>(m: string, p: unknown) => t.core.call(m, p) as Promise<T>;
    await call<ChannelInfo>('account.createChannel', {
      profileId: 'sandbox',
      channel: { name: 'garden', resources: [{ name: 'soil', vtype: 'number' }] },
    });
    const oldToken = await tokenOf('garden');

    const profile = await call<ProfileDTO>('profiles.save', {
      name: 'garden',
      kind: 'sandbox',
      credentialType: 'channelToken',
      secret: oldToken,
      secretMode: 'keychain',
      subscriptions: ['garden/#'],
    });
    expect(await keychain.get(accountFor(profile.id))).toBe(oldToken);
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'garden connected');

    const outsider = await mqtt.connectAsync(t.core.services.sandbox!.urls.mqtt, { username: oldToken, password: '', reconnectPeriod: 0 });
    const dropped = new Promise<void>((resolve) => outsider.once('close', () => resolve()));

    const result = await call<{ reconnectedProfiles: string[] }>('account.regenerateToken', { profileId: 'sandbox', channel: 'garden' });
    expect(result.reconnectedProfiles).toContain(profile.id);
    await dropped;

    const stored = await keychain.get(accountFor(profile.id));
    expect(stored).toBeTruthy();
    expect(stored).not.toBe(oldToken);
    await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'garden reconnected on the new token');
    await call('messages.publish', { profileId: profile.id, topic: 'garden/soil', data: '42', qos: 1 });

    const refused = await mqtt
      .connectAsync(t.core.services.sandbox!.urls.mqtt, { username: oldToken, password: '', reconnectPeriod: 0, connectTimeout: 5000 })
      .then((c) => (c.end(true), 'accepted'))
      .catch((e: { code?: number }) => `refused ${e.code ?? ''}`);
    expect(refused).toBe('refused 5');
    await call('profiles.remove', { id: profile.id });
    expect(await keychain.get(accountFor(profile.id))).toBeNull();
  });
});

async function tokenOf(channel: string): Promise<string> {
  const { BeebotteRest } = await import('../../electron/core/beebotte/rest-client.js');
  const demo = t.core.services.sandbox!.demo!;
  const rest = new BeebotteRest(t.core.services.sandbox!.urls.http, { kind: 'keys', apiKey: demo.apiKey, secretKey: demo.secretKey });
  const c = await rest.channel(channel);
  if (!c.token) throw new Error('no token');
  return c.token;
}
