/**
 * The desk's pairing wizard through the contract (what the Devices screen calls): a simulated board on a
 * socat pty, provisioned onto the embedded sandbox; the first message arrives through the app's own session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads, KnownDevice, PairingHandshake, ProvisionResultDTO, ResultOf, WifiNetworkDTO } from '../../electron/api.js';
import { demoAccountProfile, demoAccountRest, sandboxDemo, startTestCore, type TestCore } from '../tools/core-fixture.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import { openPortPaths } from '../../electron/core/pairing/serial-port.js';
import type { ProfileDTO } from '../../electron/api.js';
import { waitFor } from '../tools/core-fixture.js';

let t: TestCore;
let pty: PtyPair;
let sim: Sim;
const steps: string[] = [];

beforeAll(async () => {
  t = await startTestCore({ demoSensor: false });
  t.core.bus.subscribe((event, data) => {
    if (event === 'pairing.progress') steps.push((data as EventPayloads['pairing.progress']).step);
  });
  pty = await startPtyPair();
  sim = await startSim(pty.b, ['--ssid', 'Hive', '--password', 'honeycomb', '--name', 'Bee 7', '--publish-ms', '300']);
});
afterAll(async () => {
  await sim?.stop();
  await pty?.stop();
  await t?.close();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;

describe('pairing from the desk', () => {
  it('handshakes, scans, provisions, and sees the first message through the sandbox session', async () => {
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    expect(hello.device.name).toBe('Bee 7');
    expect(hello.apiaryExtension).toBe(true);

    const networks = await call<WifiNetworkDTO[]>('pairing.scan', { pairingId: hello.pairingId });
    expect(networks.length).toBeGreaterThan(0);

    const result = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: hello.pairingId,
      ssid: 'Hive',
      wifiPassword: 'honeycomb',
      profileId: 'sandbox',
      channel: 'demo',
      resource: 'humidity',
      waitSeconds: 30,
    });
    expect(result.firstMessage?.topic).toBe('demo/humidity');
    expect(result.device).toMatchObject({ name: 'Bee 7', channel: 'demo', resource: 'humidity', online: true });
    expect(steps).toEqual(expect.arrayContaining(['open', 'handshake', 'scan', 'wifi', 'mqtt', 'first-message', 'done']));

    const devices = await call<KnownDevice[]>('devices.list', {});
    expect(devices.map((d) => d.name)).toContain('Bee 7');
    expect(openPortPaths()).toEqual([]); // the port is released after pairing
    expect(JSON.stringify(result)).not.toContain(t.core.services.sandbox!.demo!.token);
  });

  it("a wrong Wi-Fi password fails at the Wi-Fi step with the device's reason", async () => {
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    await expect(
      call('pairing.provision', {
        pairingId: hello.pairingId,
        ssid: 'Hive',
        wifiPassword: 'wrong-password',
        profileId: 'sandbox',
        channel: 'demo',
        resource: 'humidity',
        waitSeconds: 10,
      }),
    ).rejects.toThrow(/could not join "Hive": check the password/);
    expect(openPortPaths()).toEqual([]);
  });

  it("a profile's channel token of another channel is refused before the device is touched", async () => {
    await waitFor(() => t.core.services.sessions.state('sandbox').status === 'connected', 'the sandbox session');
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    await expect(
      call('pairing.provision', {
        pairingId: hello.pairingId,
        ssid: 'Hive',
        wifiPassword: 'honeycomb',
        profileId: 'sandbox',
        channel: 'elsewhere',
        resource: 'humidity',
        waitSeconds: 5,
      }),
    ).rejects.toThrow(/channel token has no rights on elsewhere\/humidity: it is another channel's token/);
    expect(await call<{ cancelled: boolean }>('pairing.cancel', { pairingId: hello.pairingId })).toEqual({ cancelled: true }); // still held
    expect(openPortPaths()).toEqual([]);
  });

  it('a pairing that no longer exists is a clear error', async () => {
    await expect(call('pairing.scan', { pairingId: 'gone' })).rejects.toThrow(/no longer open/);
  });
});

describe('pairing with a profile that holds the account secret key', () => {
  const demo = () => sandboxDemo(t);
  const accountRest = () => demoAccountRest(t);
  let account: ProfileDTO;

  beforeAll(async () => {
    account = await call<ProfileDTO>('profiles.save', demoAccountProfile(t, 'Demo account', 'ask'));
  });

  /** The sandbox's view of the device's MQTT connection: a channel-token login names its channel. */
  async function deviceLogin(clientId: string): Promise<{ channel?: string }> {
    const list = await accountRest().request<{ channel?: string }[]>('GET', `/v1/connections/${clientId}`);
    expect(list).toHaveLength(1);
    return list[0]!;
  }

  it("hands the device the chosen channel's token, fetched over REST — never the secret key", async () => {
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    const result = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: hello.pairingId,
      ssid: 'Hive',
      wifiPassword: 'honeycomb',
      profileId: account.id,
      channel: 'demo',
      resource: 'humidity',
      waitSeconds: 30,
      deviceToken: false, // the channel-token path (device tokens: pairing-device-token.test.ts)
    });
    expect(result.firstMessage?.topic).toBe('demo/humidity');
    expect(JSON.stringify(result)).not.toContain(demo().secretKey);
    expect(await deviceLogin(result.clientId)).toMatchObject({ channel: 'demo' }); // a channel-token login, not the account
    expect(sim.output()).not.toContain(demo().secretKey);
    expect(openPortPaths()).toEqual([]);
  });
});

describe('re-provisioning after a token regeneration: MQTT settings only', () => {
  const accountRest = () => demoAccountRest(t);
  let own: { pty: PtyPair; sim: Sim };
  let account: ProfileDTO;

  beforeAll(async () => {
    const p = await startPtyPair();
    own = { pty: p, sim: await startSim(p.b, ['--ssid', 'Hive', '--password', 'honeycomb', '--name', 'Bee 8', '--publish-ms', '300']) };
    account = await call<ProfileDTO>('profiles.save', demoAccountProfile(t, 'Hive account', 'ask'));
    await call('account.createChannel', { profileId: account.id, channel: { name: 'hive', resources: [{ name: 'weight', vtype: 'number' }] } });
  });
  afterAll(async () => {
    await own?.sim.stop();
    await own?.pty.stop();
  });

  const logins = (clientId: string) =>
    accountRest()
      .request<{ channel?: string }[]>('GET', `/v1/connections/${clientId}`)
      .catch(() => []);

  it('a regenerated token locks the device out; re-provisioning without Wi-Fi brings it back on the new token', async () => {
    const hello = await call<PairingHandshake>('pairing.start', { port: own.pty.a });
    const paired = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: hello.pairingId,
      ssid: 'Hive',
      wifiPassword: 'honeycomb',
      profileId: account.id,
      channel: 'hive',
      resource: 'weight',
      waitSeconds: 30,
      deviceToken: false,
    });
    expect(paired.firstMessage?.topic).toBe('hive/weight');
    const joins = (own.sim.output().match(/connecting to "Hive"/g) ?? []).length;
    const oldToken = (await accountRest().channel('hive')).token;

    const regen = await call<ResultOf<'account.regenerateToken'>>('account.regenerateToken', { profileId: account.id, channel: 'hive' });
    expect(regen.staleDevices.map((d) => d.id)).toEqual([paired.device.id]);
    await waitFor(async () => (await logins(paired.clientId)).length === 0, 'the device dropped from the old token');

    // the wizard in "MQTT settings only" mode: no SSID, no Wi-Fi step
    steps.length = 0;
    const again = await call<PairingHandshake>('pairing.start', { port: own.pty.a });
    expect(again.state).toBe('provisioned');
    const result = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: again.pairingId,
      keepWifi: true,
      deviceId: paired.device.id,
      profileId: account.id,
      channel: 'hive',
      resource: 'weight',
      waitSeconds: 30,
      deviceToken: false,
    });
    expect(result.firstMessage?.topic).toBe('hive/weight');
    expect(steps).toEqual(expect.arrayContaining(['open', 'handshake', 'mqtt', 'first-message', 'done']));
    expect(steps).not.toContain('wifi');
    expect((own.sim.output().match(/connecting to "Hive"/g) ?? []).length).toBe(joins); // Wi-Fi kept, not re-sent
    expect(await logins(result.clientId)).toMatchObject([{ channel: 'hive' }]); // on the new token of hive
    expect((await accountRest().channel('hive')).token).not.toBe(oldToken);

    // the same entry, no longer stale
    const devices = await call<KnownDevice[]>('devices.list', {});
    const mine = devices.filter((d) => d.channel === 'hive');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: paired.device.id, pairedAt: paired.device.pairedAt, online: true, clientId: result.clientId });
    expect(mine[0]!.staleToken).toBeUndefined();
    expect(openPortPaths()).toEqual([]);
  });

  it('MQTT settings only are refused for a board that has no Wi-Fi yet, and the contract checks the mode', async () => {
    const p = await startPtyPair();
    const fresh = await startSim(p.b, ['--name', 'Bee 11']);
    try {
      const hello = await call<PairingHandshake>('pairing.start', { port: p.a });
      await expect(
        call('pairing.provision', { pairingId: hello.pairingId, keepWifi: true, profileId: account.id, channel: 'hive', resource: 'weight' }),
      ).rejects.toThrow(/Bee 11 has no Wi-Fi yet \(Improv state "ready".*needs the full pairing/);
      expect(fresh.output()).not.toContain('[I][mqtt]');
      expect(openPortPaths()).toEqual([]);

      await expect(
        call('pairing.provision', { pairingId: 'x', keepWifi: true, ssid: 'Hive', profileId: account.id, channel: 'hive', resource: 'weight' }),
      ).rejects.toThrow(/keepWifi sends no Wi-Fi/);
      await expect(call('pairing.provision', { pairingId: 'x', profileId: account.id, channel: 'hive', resource: 'weight' })).rejects.toThrow(
        /Wi-Fi network is required \(or keepWifi/,
      );
    } finally {
      await fresh.stop();
      await p.stop();
    }
  });
});
