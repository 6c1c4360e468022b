/**
 * Regenerating a channel token from Apiary: a client on the old token is dropped, Apiary's own profile that
 * used it gets the new token in the OS keychain (read back through keytar) and reconnects by itself.
 * And without a keyring: every profile is moved on its own (one that fails is reported, the others still
 * move), and only the devices of that account's channel are marked as holding a dead token.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { ChannelInfo, KnownDevice, ProfileDTO, ResultOf } from '../../electron/api.js';
import { KeytarSecretStore, MemorySecretStore, VaultError, accountFor, usernameSlot } from '../../electron/core/vault/index.js';
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

/** A keychain that refuses to store the secrets of the accounts in `refuse` (as a locked one would). */
class RefusingStore extends MemorySecretStore {
  readonly refuse = new Set<string>();
  override async set(account: string, secret: string): Promise<void> {
    if (this.refuse.has(account)) throw new VaultError('locked', 'could not store the secret: the keychain is locked');
    return super.set(account, secret);
  }
}

describe('regenerate: each profile on its own, and only this account’s devices', () => {
  let u: TestCore;
  const store = new RefusingStore();
  beforeAll(async () => {
    u = await startTestCore({ demoSensor: false, secrets: store });
  });
  afterAll(async () => {
    await u?.close();
  });

  it('moves every profile it can, reports the one it cannot, and marks only the same account’s devices', async () => {
    const call = <T>(m: string, p: unknown) => u.core.call(m, p) as Promise<T>;
    const s = u.core.services;
    await call('account.createChannel', { profileId: 'sandbox', channel: { name: 'porch', resources: [{ name: 'light' }] } });
    const oldToken = await tokenOf('porch', u);
    // three profiles hold the old token; the keychain will refuse the middle one
    const holders: ProfileDTO[] = [];
    for (const name of ['porch A', 'porch B', 'porch C']) {
      holders.push(await call<ProfileDTO>('profiles.save', { name, kind: 'sandbox', secret: oldToken, secretMode: 'keychain', subscriptions: ['porch/#'] }));
    }
    const [a, b, c] = holders as [ProfileDTO, ProfileDTO, ProfileDTO];
    await call('sessions.connect', { profileId: a.id });
    await waitFor(() => s.sessions.state(a.id).status === 'connected', 'porch A connected');
    store.refuse.add(accountFor(b.id));

    // the same channel name "porch" elsewhere: Beebotte's cloud (never connected: loopback only), and
    // another sandbox account
    const cloud = await call<ProfileDTO>('profiles.save', { name: 'cloud porch', kind: 'beebotte', secret: 'token_CloudPorch0000000001' });
    const other = s.sandbox!.accounts.ensureAccount({ owner: 'neighbour' });
    s.sandbox!.accounts.createChannel('neighbour', { name: 'porch', resources: [{ name: 'light' }] });
    const neighbour = await call<ProfileDTO>('profiles.save', {
      name: 'neighbour keys',
      kind: 'sandbox',
      credentialType: 'secretKey',
      apiKey: other.apiKey,
      secret: other.secretKey,
    });
    const device = (id: string, profileId: string, channel = 'porch'): KnownDevice => ({
      id,
      name: id,
      profileId,
      channel,
      resource: 'light',
      pairedAt: 1,
      online: true,
    });
    for (const d of [
      device('on-demo', 'sandbox'),
      device('on-a', a.id),
      device('on-b', b.id),
      device('demo-other-channel', 'sandbox', 'garden'),
      device('on-cloud', cloud.id),
      device('on-neighbour', neighbour.id),
    ]) {
      s.devices.upsert(d);
    }

    const result = await call<ResultOf<'account.regenerateToken'>>('account.regenerateToken', { profileId: 'sandbox', channel: 'porch' });
    const newToken = await tokenOf('porch', u);
    expect(newToken).not.toBe(oldToken);

    // B failed, with a reason a user can act on and no token in it; A and C moved anyway
    expect(result.reconnectedProfiles.sort()).toEqual([a.id, c.id].sort());
    expect(result.failedProfiles).toEqual([{ profileId: b.id, name: 'porch B', reason: expect.stringMatching(/old token.*keychain is locked/) }]);
    expect(JSON.stringify(result.failedProfiles)).not.toContain(newToken);
    expect(JSON.stringify(result.failedProfiles)).not.toContain(oldToken);
    expect(await s.vault.read(a.id)).toBe(newToken);
    expect(await s.vault.read(c.id)).toBe(newToken);
    expect(await s.vault.read(b.id)).toBe(oldToken);
    await waitFor(() => s.sessions.state(a.id).status === 'connected', 'porch A reconnected on the new token');

    // devices: the demo account's porch only — not the cloud's porch, not the neighbour's, not another channel
    expect(result.staleDevices.map((d) => d.id).sort()).toEqual(['on-a', 'on-b', 'on-demo']);
    const flags = Object.fromEntries(s.devices.list().map((d) => [d.id, d.staleToken ?? false]));
    expect(flags).toEqual({ 'on-demo': true, 'on-a': true, 'on-b': true, 'demo-other-channel': false, 'on-cloud': false, 'on-neighbour': false });
    expect(s.sessions.state(cloud.id).status).toBe('idle');
  });

  it('a generic MQTT profile with the old token as its username (kept in the vault) moves and reconnects too', async () => {
    const call = <T>(m: string, p: unknown) => u.core.call(m, p) as Promise<T>;
    const s = u.core.services;
    await call('account.createChannel', { profileId: 'sandbox', channel: { name: 'attic', resources: [{ name: 'fan' }] } });
    const oldToken = await tokenOf('attic', u);
    const generic = await call<ProfileDTO>('profiles.save', {
      name: 'attic generic',
      kind: 'mqtt',
      url: s.sandbox!.urls.mqtt,
      username: oldToken,
      subscriptions: ['attic/#'],
    });
    expect(generic).toMatchObject({ usernameIsSecret: true });
    await call('sessions.connect', { profileId: generic.id });
    await waitFor(() => s.sessions.state(generic.id).status === 'connected', 'attic generic connected');
    const result = await call<ResultOf<'account.regenerateToken'>>('account.regenerateToken', {
      profileId: 'sandbox',
      channel: 'attic',
    });
    const newToken = await tokenOf('attic', u);
    expect(result.reconnectedProfiles).toEqual([generic.id]);
    expect(await s.vault.read(usernameSlot(generic.id))).toBe(newToken);
    await waitFor(() => s.sessions.state(generic.id).status === 'connected', 'attic generic reconnected on the new token');
    await call('messages.publish', { profileId: generic.id, topic: 'attic/fan', data: '{"data":1}', raw: true, qos: 1 });
  });

  it('marks the devices of another profile of the same account (its API key) too', async () => {
    const call = <T>(m: string, p: unknown) => u.core.call(m, p) as Promise<T>;
    const s = u.core.services;
    const demo = s.sandbox!.demo!;
    const keys = await call<ProfileDTO>('profiles.save', { name: 'demo keys', kind: 'sandbox', credentialType: 'secretKey', apiKey: demo.apiKey, secret: demo.secretKey });
    await call('account.createChannel', { profileId: keys.id, channel: { name: 'shed', resources: [{ name: 'door' }] } });
    s.devices.upsert({ id: 'shed-door', name: 'shed door', profileId: 'sandbox', channel: 'shed', resource: 'door', pairedAt: 1, online: true });
    const result = await call<ResultOf<'account.regenerateToken'>>('account.regenerateToken', { profileId: keys.id, channel: 'shed' });
    expect(result.staleDevices.map((d) => d.id)).toEqual(['shed-door']);
    expect(result.failedProfiles).toEqual([]);
  });
});

async function tokenOf(channel: string, core: TestCore = t): Promise<string> {
  const { BeebotteRest } = await import('../../electron/core/beebotte/rest-client.js');
  const demo = core.core.services.sandbox!.demo!;
  const rest = new BeebotteRest(core.core.services.sandbox!.urls.http, { kind: 'keys', apiKey: demo.apiKey, secretKey: demo.secretKey });
  const c = await rest.channel(channel);
  if (!c.token) throw new Error('no token');
  return c.token;
}
