/**
 * Who is connected to an account, against the real sandbox: the Connections list with client ids, channels and
 * client IPs, kept live from the account's signaling as a real mqtt.js device connects and leaves, dropping a
 * connection, the credentials that may not (a channel token, an IAM token without admin:connection:*), polling
 * where signaling is not available, and a connect/disconnect alert rule firing on a real disconnect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { ConnectionsSnapshot, FiredAlert, PresenceEventDTO, ProfileDTO } from '../../electron/api.js';
import { BeebotteRest } from '../../electron/core/beebotte/rest-client.js';
import { PresenceWatcher } from '../../electron/core/account/presence-watcher.js';
import { PresenceService } from '../../electron/core/account/presence.js';
import { presenceSourceFor } from '../../electron/core/account/presence-source.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { openSdkStream, socketioTransport } from '../tools/sandbox-fixtures.js';

let t: TestCore;
const changes: ConnectionsSnapshot[] = [];
const events: PresenceEventDTO[] = [];
const alerts: FiredAlert[] = [];
const devices: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestCore({ demoSensor: false });
  t.core.bus.subscribe((event, data) => {
    if (event === 'connections.changed') changes.push(data as ConnectionsSnapshot);
    if (event === 'connections.event') events.push(data as PresenceEventDTO);
    if (event === 'alert.fired') alerts.push(data as FiredAlert);
  });
});
afterAll(async () => {
  for (const d of devices) d.end(true);
  await t?.close();
});

const call = <T>(m: string, p: unknown) => t.core.call(m, p) as Promise<T>;
const sandbox = () => t.core.services.sandbox!;

async function device(clientId: string, token = sandbox().demo!.token): Promise<MqttClient> {
  const c = await mqtt.connectAsync(sandbox().urls.mqtt, { username: token, password: '', clientId, reconnectPeriod: 0 });
  devices.push(c);
  return c;
}

async function profileWith(name: string, credentialType: 'channelToken' | 'iamToken', secret: string): Promise<string> {
  const p = await call<ProfileDTO>('profiles.save', { name, kind: 'sandbox', credentialType, secret, secretMode: 'keychain', subscriptions: [] });
  return p.id;
}

const rejection = (work: Promise<unknown>) => work.then(() => 'accepted', (e: Error) => e.message);

describe('the Connections list and its live updates', () => {
  it('lists who is connected, with channel and client IP, and follows a device connecting and leaving', async () => {
    const first = await call<ConnectionsSnapshot>('connections.watch', { profileId: 'sandbox' });
    expect(first.profileId).toBe('sandbox');
    await waitFor(() => changes.some((c) => c.profileId === 'sandbox' && c.mode === 'signaling'), 'live from signaling');

    const sensor = await device('garage-sensor-1');
    const connected = await waitFor(
      () => events.find((e) => e.event === 'connect' && e.clientid === 'garage-sensor-1'),
      'the signaling connect event',
    );
    expect(connected).toMatchObject({ profileId: 'sandbox', channel: 'demo', protocol: 'mqtt', source: 'signaling' });
    const listed = await waitFor(
      () => changes.at(-1)?.connections.find((c) => c.clientid === 'garage-sensor-1'),
      'the device in the live list',
    );
    expect(listed).toMatchObject({ channel: 'demo', protocol: 'mqtt', own: false });
    expect(listed.clientip).toMatch(/127\.0\.0\.1/);
    expect(listed.connectedAt).toBeGreaterThan(0);
    // Apiary's own session and its watcher are there too; the watcher says it is Apiary's
    expect(changes.at(-1)!.connections.filter((c) => c.own)).toHaveLength(1);

    await sensor.endAsync();
    await waitFor(() => events.find((e) => e.event === 'disconnect' && e.clientid === 'garage-sensor-1'), 'the disconnect event');
    await waitFor(() => !changes.at(-1)?.connections.some((c) => c.clientid === 'garage-sensor-1'), 'the device gone from the list');
  });

  it('shows a WebSocket client of the official SDK as ws, joining and leaving', async () => {
    const demo = sandbox().demo!;
    const before = new Set(events.map((e) => e));
    const sdk = await openSdkStream(socketioTransport(sandbox().urls.http, { apiKey: demo.apiKey, secretKey: demo.secretKey }));
    const joined = await waitFor(() => events.find((e) => !before.has(e) && e.event === 'connect' && e.protocol === 'ws'), 'a ws connect');
    await waitFor(() => changes.at(-1)?.connections.some((c) => c.protocol === 'ws' && c.clientid === joined.clientid), 'the ws row');
    sdk.close();
    await waitFor(() => events.find((e) => e.event === 'disconnect' && e.protocol === 'ws' && e.clientid === joined.clientid), 'a ws disconnect');
  });

  it('drops a connection: the device is closed and gone from the list', async () => {
    const victim = await device('drop-me');
    const closed = new Promise<void>((resolve) => victim.once('close', () => resolve()));
    const result = await call<{ dropped: boolean; remaining: ConnectionsSnapshot }>('connections.drop', { profileId: 'sandbox', userid: 'drop-me' });
    await closed;
    expect(result.dropped).toBe(true);
    expect(result.remaining.connections.some((c) => c.userid === 'drop-me')).toBe(false);
  });

  it('says which right is missing: a channel token, an IAM token with data rights only, one that may read but not drop', async () => {
    const channelProfile = await profileWith('demo-token', 'channelToken', sandbox().demo!.token);
    expect(await rejection(call('connections.list', { profileId: channelProfile }))).toMatch(/405\/1102.*admin:connection:read/);
    expect(await rejection(call('connections.watch', { profileId: channelProfile }))).toMatch(/admin:connection:read/);
    // an offline rule on it could never fire: refused when saved, saying why
    const rule = { name: 'never', profileId: channelProfile, topicFilter: 'signaling/#', condition: { kind: 'presence' } };
    expect(await rejection(call('alerts.saveRule', { rule }))).toMatch(/^profileId: this profile cannot see who connects .*admin:connection:read/);
    expect((await call<unknown[]>('alerts.rules', {})).length).toBe(0);

    const dataOnly = sandbox().accounts.createIamToken('demo', { channels: ['demo'] });
    const dataProfile = await profileWith('data-only', 'iamToken', dataOnly);
    expect(await rejection(call('connections.list', { profileId: dataProfile }))).toMatch(/admin:connection:read/);

    const reader = sandbox().accounts.createIamToken('demo', { acl: [{ action: 'admin:connection:read' }] });
    const readerProfile = await profileWith('conn-reader', 'iamToken', reader);
    await device('seen-by-reader');
    const list = await call<ConnectionsSnapshot>('connections.list', { profileId: readerProfile });
    expect(list.connections.map((c) => c.clientid)).toContain('seen-by-reader');
    expect(await rejection(call('connections.drop', { profileId: readerProfile, userid: 'seen-by-reader' }))).toMatch(
      /admin:connection:write/,
    );
    // and its watcher reads the account's signaling (admin:connection:read is enough for signaling/#)
    await call('connections.watch', { profileId: readerProfile, viewId: 'window-a' });
    await call('connections.watch', { profileId: readerProfile, viewId: 'window-b' });
    await waitFor(() => changes.some((c) => c.profileId === readerProfile && c.mode === 'signaling'), 'the IAM watcher on signaling');
    // one window leaving does not stop the other's live list; the last one does
    expect(await call('connections.unwatch', { profileId: readerProfile, viewId: 'window-a' })).toEqual({ watching: true });
    expect(await call('connections.unwatch', { profileId: readerProfile, viewId: 'window-b' })).toEqual({ watching: false });
    expect(t.core.services.presence.watching(readerProfile)).toBe(false);
  });

  it('a profile saved with another credential is watched with it from then on', async () => {
    const reader = sandbox().accounts.createIamToken('demo', { acl: [{ action: 'admin:connection:read' }] });
    const profileId = await profileWith('switching', 'iamToken', reader);
    await call('connections.watch', { profileId, viewId: 'w' });
    const dataOnly = sandbox().accounts.createIamToken('demo', { channels: ['demo'] });
    await call('profiles.save', { id: profileId, name: 'switching', kind: 'sandbox', credentialType: 'iamToken', secret: dataOnly, secretMode: 'keychain', subscriptions: [] });
    // the old watcher (and its rights) is gone: the next renewal says what the new credential lacks
    await waitFor(async () => /admin:connection:read/.test(await rejection(call('connections.watch', { profileId, viewId: 'w' }))), 'the new credential used');
    expect(t.core.services.presence.watching(profileId)).toBe(false);
  });

  it('a change that leaves a profile’s credential as it was keeps its watcher live (no gap where a disconnect is missed)', async () => {
    const acl = [{ action: 'admin:connection:read' }];
    const steady = await profileWith('steady', 'iamToken', sandbox().accounts.createIamToken('demo', { acl }));
    const own = async () =>
      (await call<ConnectionsSnapshot>('connections.list', { profileId: steady })).connections.find((c) => c.own)?.clientid;
    await call('connections.watch', { profileId: steady, viewId: 'w' });
    const before = await waitFor(own, 'the watcher’s own signaling connection');
    // the profile saved as it is (what a subscription from the explorer does), and another profile given a new
    // credential: that one's watcher starts again with it, this one's link stays as it was
    await call('profiles.save', { id: steady, name: 'steady', kind: 'sandbox', credentialType: 'iamToken', secretMode: 'keychain', subscriptions: ['demo/#'] });
    const switching = await profileWith('switching too', 'iamToken', sandbox().accounts.createIamToken('demo', { acl }));
    await call('connections.watch', { profileId: switching, viewId: 'w' });
    const dataOnly = sandbox().accounts.createIamToken('demo', { channels: ['demo'] });
    await call('profiles.save', { id: switching, name: 'switching too', kind: 'sandbox', credentialType: 'iamToken', secret: dataOnly, secretMode: 'keychain', subscriptions: [] });
    await waitFor(async () => /admin:connection:read/.test(await rejection(call('connections.watch', { profileId: switching, viewId: 'w' }))), 'the new credential used');
    expect(await own()).toBe(before);
    await call('connections.unwatch', { profileId: steady, viewId: 'w' });
  });

  it('a profile saved while its watcher is being set up is watched with what it holds now', async () => {
    const reader = sandbox().accounts.createIamToken('demo', { acl: [{ action: 'admin:connection:read' }] });
    const profileId = await profileWith('racing', 'iamToken', reader);
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    let reads = 0;
    const service = new PresenceService({
      bus: t.core.bus,
      clock: { now: () => Date.now() },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      sourceFor: async (id) => {
        const source = await presenceSourceFor(t.core.services, id);
        if (++reads === 1) await gate; // the first read (the admin token) is held until the profile changed
        return source;
      },
    });
    const watching = rejection(service.watch(profileId, 'w'));
    await waitFor(() => reads === 1, 'the source read');
    const dataOnly = sandbox().accounts.createIamToken('demo', { channels: ['demo'] });
    await call('profiles.save', { id: profileId, name: 'racing', kind: 'sandbox', credentialType: 'iamToken', secret: dataOnly, secretMode: 'keychain', subscriptions: [] });
    open();
    // not the token it held a moment ago (which may list the account's connections), the one it holds now
    expect(await watching).toMatch(/admin:connection:read/);
    await service.close();
  });

  it('polls where signaling is not available, and still sees a device connect and leave', async () => {
    const demo = sandbox().demo!;
    const seen: PresenceEventDTO[] = [];
    const snapshots: ConnectionsSnapshot[] = [];
    const watcher = new PresenceWatcher({
      profileId: 'cli',
      rest: new BeebotteRest(sandbox().urls.http, { kind: 'keys', apiKey: demo.apiKey, secretKey: demo.secretKey }),
      signaling: null,
      pollReason: 'no broker given',
      pollMs: 200,
      onSnapshot: (s) => snapshots.push(s),
      onEvent: (e) => seen.push(e),
    });
    try {
      const first = await watcher.start();
      expect(first).toMatchObject({ mode: 'polling', modeReason: 'no broker given' });
      const polled = await device('polled-1');
      await waitFor(() => seen.find((e) => e.event === 'connect' && e.clientid === 'polled-1'), 'a connect seen by polling');
      polled.stream.destroy(); // a device that loses power: no DISCONNECT
      const gone = await waitFor(() => seen.find((e) => e.event === 'disconnect' && e.clientid === 'polled-1'), 'a disconnect seen by polling');
      expect(gone).toMatchObject({ source: 'polling', channel: 'demo' });
    } finally {
      await watcher.stop();
    }
  });
});

describe('connect/disconnect alert rules', () => {
  it('fires when a matching device goes offline, not for another device, and not before', async () => {
    await call('alerts.saveRule', {
      rule: {
        name: 'Garage offline',
        profileId: 'sandbox',
        topicFilter: 'signaling/#',
        condition: { kind: 'presence', event: 'disconnect', clientId: 'garage-*', channel: 'demo' },
        cooldownSeconds: 0,
        titleTemplate: '{rule}',
        bodyTemplate: '{value}',
      },
    });
    // no desk holds a lease: the rule alone keeps the account watched
    await call('connections.unwatch', { profileId: 'sandbox' });
    await waitFor(() => t.core.services.presence.watching('sandbox'), 'the rule watching the account');
    await waitFor(() => changes.filter((c) => c.profileId === 'sandbox' && c.mode === 'signaling').length > 0, 'signaling');

    const other = await device('kitchen-1');
    const garage = await device('garage-door');
    await waitFor(() => events.filter((e) => e.clientid === 'garage-door' && e.event === 'connect').length > 0, 'garage connected');
    expect(alerts.filter((a) => a.ruleName === 'Garage offline')).toHaveLength(0);
    await other.endAsync();
    garage.stream.destroy(); // power cut: the broker notices the socket closing
    const fired = await waitFor(() => alerts.find((a) => a.ruleName === 'Garage offline'), 'the offline alert');
    expect(fired.body).toBe('garage-door disconnected (channel demo, mqtt)');
    expect(fired.profileId).toBe('sandbox');
    await waitFor(() => events.some((e) => e.clientid === 'kitchen-1' && e.event === 'disconnect'), 'kitchen gone');
    expect(alerts.filter((a) => a.ruleName === 'Garage offline')).toHaveLength(1);
    const history = await call<FiredAlert[]>('alerts.history', { limit: 10 });
    expect(history.some((a) => a.body === 'garage-door disconnected (channel demo, mqtt)')).toBe(true);
  });
});
