/**
 * Per-device least privilege: pairing from the desk with a profile that holds the account secret key (in the
 * real OS keychain) gives each simulated board (socat ptys) an IAM token of its own — data on its channel
 * only —, the Devices list names it, and revoking one board's token locks that board out while the other
 * keeps publishing. The token's value goes to the board only: not to the desk's answers, the data dir or a log.
 */
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IamTokenDTO, KnownDevice, PairingHandshake, ProfileDTO, ProvisionResultDTO, ResultOf } from '../../electron/api.js';
import { openPortPaths } from '../../electron/core/pairing/serial-port.js';
import { KeytarSecretStore } from '../../electron/core/vault/index.js';
import { demoAccountProfile, demoAccountRest, sandboxDemo, startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { subscribe } from '../tools/sandbox-fixtures.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';

const keyring = process.env.APIARY_TEST_KEYRING === '1';
const keychain = new KeytarSecretStore({ service: `Apiary-test-devtoken-${process.pid}` });
let t: TestCore;
let account: ProfileDTO;
const boards: { pty: PtyPair; sim: Sim }[] = [];

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
const demo = () => sandboxDemo(t);
const accountRest = () => demoAccountRest(t);
const logins = (clientId: string) =>
  accountRest()
    .request<{ channel?: string }[]>('GET', `/v1/connections/${clientId}`)
    .catch(() => []);

/** A real MQTT client on the sandbox with this username: the SUBACK codes of each filter, then closed. */
async function subackWith(username: string, filters: string[]): Promise<number[] | 'refused'> {
  const client = mqtt.connect(t.core.services.sandbox!.urls.mqtt, { username, reconnectPeriod: 0, connectTimeout: 5000 });
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  } catch {
    client.end(true);
    return 'refused';
  }
  const codes: number[] = [];
  for (const f of filters) codes.push(...(await subscribe(client, f)));
  await client.endAsync();
  return codes;
}

async function board(name: string): Promise<{ pty: PtyPair; sim: Sim }> {
  const pty = await startPtyPair();
  const sim = await startSim(pty.b, ['--ssid', 'Hive', '--password', 'honeycomb', '--name', name, '--publish-ms', '300']);
  const b = { pty, sim };
  boards.push(b);
  return b;
}

async function pair(b: { pty: PtyPair }, channel: string, resource: string): Promise<ProvisionResultDTO> {
  const hello = await call<PairingHandshake>('pairing.start', { port: b.pty.a });
  return call<ProvisionResultDTO>('pairing.provision', {
    pairingId: hello.pairingId,
    ssid: 'Hive',
    wifiPassword: 'honeycomb',
    profileId: account.id,
    channel,
    resource,
    waitSeconds: 30,
  });
}

beforeAll(async () => {
  if (!keyring) return;
  t = await startTestCore({ demoSensor: false, secrets: keychain });
  account = await call<ProfileDTO>('profiles.save', demoAccountProfile(t, 'Hive account', 'keychain'));
  for (const [name, res] of [
    ['hive', 'weight'],
    ['garden', 'soil'],
  ] as const) {
    await call('account.createChannel', {
      profileId: account.id,
      channel: { name, resources: [{ name: res, vtype: 'number' }] },
    });
  }
});
afterAll(async () => {
  for (const b of boards) {
    await b.sim.stop();
    await b.pty.stop();
  }
  if (account) await call('profiles.remove', { id: account.id }); // its secret key leaves the keychain too
  await t?.close();
});

describe.skipIf(!keyring)('pairing with a device token of its own (run under test/tools/with-keyring.sh)', () => {
  it('gives each board an IAM token that reaches only its channel; revoking one locks out that board alone', async () => {
    expect(await call<ResultOf<'iam.capability'>>('iam.capability', { profileId: account.id })).toEqual({ canManage: true });
    const a = await board('Bee A');
    const b = await board('Bee B');

    const first = await pair(a, 'hive', 'weight');
    expect(first.firstMessage?.topic).toBe('hive/weight');
    expect(first.device.iamToken).toMatchObject({ name: 'Bee A (hive)' });
    const second = await pair(b, 'hive', 'weight');
    expect(second.device.iamToken?.name).toBe('Bee B (hive)');
    expect(second.device.iamToken?.id).not.toBe(first.device.iamToken?.id);
    expect(openPortPaths()).toEqual([]);

    // the account's view: two tokens with data on hive only, each held by its device
    const tokens = await call<IamTokenDTO[]>('iam.list', { profileId: account.id });
    const tokenA = tokens.find((x) => x.id === first.device.iamToken!.id)!;
    expect(tokenA).toMatchObject({
      name: 'Bee A (hive)',
      acl: [
        { action: 'data:read', resource: ['hive'] },
        { action: 'data:write', resource: ['hive'] },
      ],
      scopes: ['read data on hive', 'write data on hive'],
      device: { id: first.device.id, name: 'Bee A' },
    });
    expect(JSON.stringify(tokens)).not.toMatch(/iamtkn_/); // listed without values

    // the board is logged in with it: an IAM login (no channel token), and the value is an iamtkn_
    expect(await logins(first.clientId)).toEqual([expect.not.objectContaining({ channel: expect.anything() })]);
    const valueA = (await accountRest().request<{ token: string }>('GET', `/v1/iamtokens/${tokenA.id}`)).token;
    expect(valueA).toMatch(/^iamtkn_/);
    expect(await subackWith(valueA, ['hive/weight', 'hive/#', 'garden/soil', 'demo/#', '#'])).toEqual([0, 0, 128, 128, 128]);

    // the value went to the board only: not in the desk's answers, the data dir or the core's log
    expect(JSON.stringify([first, second, await call('devices.list', {})])).not.toContain(valueA);
    for (const file of fs.readdirSync(t.dataDir, { recursive: true }) as string[]) {
      const full = path.join(t.dataDir, file);
      if (file.startsWith('sandbox') || !fs.statSync(full).isFile()) continue; // the sandbox is the server: it keeps tokens
      expect(fs.readFileSync(full).includes(valueA), file).toBe(false);
    }
    expect(t.logs.join('\n')).not.toContain(valueA);
    // nor through the desk's copy, which hands on only a token just made in the Tokens section
    await expect(call('iam.copy', { profileId: account.id, tokenId: tokenA.id })).rejects.toThrow(/just made/);
    const made = await call<IamTokenDTO>('iam.create', {
      profileId: account.id,
      name: 'made here',
      acl: [{ action: 'data:read', resource: ['garden'] }],
    });
    const copy = await call<ResultOf<'iam.copy'>>('iam.copy', { profileId: account.id, tokenId: made.id });
    expect(copy.copied ? 'in the clipboard' : copy.token).toMatch(/^iamtkn_/);
    await call('iam.revoke', { profileId: account.id, tokenId: made.id });

    // revoke A: its connection is dropped and refused from then on; B goes on publishing
    const revoked = await call<ResultOf<'iam.revoke'>>('iam.revoke', { profileId: account.id, tokenId: tokenA.id });
    expect(revoked.devices.map((d) => [d.id, d.revoked])).toEqual([[first.device.id, true]]);
    await waitFor(async () => (await logins(first.clientId)).length === 0, 'board A dropped');
    expect(await subackWith(valueA, ['hive/weight'])).toBe('refused');
    await new Promise((r) => setTimeout(r, 2500)); // the board retries every second: it must not get back in
    expect(await logins(first.clientId)).toEqual([]);
    expect(await logins(second.clientId)).toHaveLength(1);
    const seen = await new Promise<string>((resolve, reject) => {
      const watcher = mqtt.connect(t.core.services.sandbox!.urls.mqtt, { username: demo().secretKey, reconnectPeriod: 0 });
      const timer = setTimeout(() => reject(new Error('board B published nothing after A was revoked')), 8000);
      watcher.on('connect', () => watcher.subscribe('hive/weight'));
      watcher.on('message', (topic) => {
        clearTimeout(timer);
        watcher.end(true);
        resolve(topic);
      });
    });
    expect(seen).toBe('hive/weight');

    const devices = await call<KnownDevice[]>('devices.list', {});
    expect(devices.find((d) => d.id === first.device.id)).toMatchObject({ revoked: true, online: false });
    expect(devices.find((d) => d.id === second.device.id)?.revoked).toBeUndefined();
    expect((await call<IamTokenDTO[]>('iam.list', { profileId: account.id })).map((x) => x.id)).not.toContain(tokenA.id);
  });

  it('Wi-Fi only keeps the device token and client id; the hostname and device name are set over Improv', async () => {
    const d = await board('Bee D');
    const paired = await pair(d, 'garden', 'soil');
    const token = paired.device.iamToken!;
    expect(token.name).toBe('Bee D (garden)');

    const again = await call<PairingHandshake>('pairing.start', { port: d.pty.a });
    expect(await call('pairing.names', { pairingId: again.pairingId })).toEqual({ hostname: 'apiary-sim', name: 'Bee D' });
    expect(await call('pairing.names', { pairingId: again.pairingId, hostname: 'bee-d-shed', deviceName: 'Shed Bee' })).toEqual({
      hostname: 'bee-d-shed',
      name: 'Shed Bee',
    });
    await expect(call('pairing.names', { pairingId: again.pairingId, hostname: 'no spaces' })).rejects.toThrow(
      /a hostname is 1–63/,
    );
    const settingsBefore = (d.sim.output().match(/\[I\]\[mqtt\]: connecting to/g) ?? []).length;
    await expect(
      call('pairing.provision', {
        pairingId: again.pairingId,
        keepWifi: true,
        keepMqtt: true,
        profileId: account.id,
        channel: 'garden',
        resource: 'soil',
      }),
    ).rejects.toThrow(/leave nothing to send/);
    const moved = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: again.pairingId,
      ssid: 'Hive',
      wifiPassword: 'honeycomb',
      keepMqtt: true,
      deviceId: paired.device.id,
      profileId: account.id,
      channel: 'garden',
      resource: 'soil',
      waitSeconds: 30,
    });
    expect(moved.firstMessage?.topic).toBe('garden/soil');
    expect(moved.device).toMatchObject({ id: paired.device.id, name: 'Shed Bee', clientId: paired.clientId, iamToken: token });
    // no MQTT settings were sent: the board kept its connection and credentials
    expect((d.sim.output().match(/\[I\]\[mqtt\]: connecting to/g) ?? []).length).toBe(settingsBefore);
    expect(d.sim.output()).not.toContain('new settings: closing the old connection');
    const tokensNow = await call<IamTokenDTO[]>('iam.list', { profileId: account.id });
    expect(tokensNow.filter((x) => x.id === token.id)).toHaveLength(1); // the same token, not a second one
    expect((await call<KnownDevice[]>('devices.list', {})).filter((x) => x.id === paired.device.id)).toHaveLength(1);
  });

  it('a profile holding an IAM token with admin:iam:write mints device tokens within its own rights, and sees its own token marked', async () => {
    const manager = await accountRest().request<{ _id: string; token: string }>('POST', '/v1/iamtokens', {
      name: 'hive manager',
      acl: [
        { action: 'admin:iam:read' },
        { action: 'admin:iam:write' },
        { action: 'data:read', resource: ['hive'] },
        { action: 'data:write', resource: ['hive'] },
      ],
    });
    const viaIam = await call<ProfileDTO>('profiles.save', {
      name: 'Hive manager',
      kind: 'sandbox',
      credentialType: 'iamToken',
      secret: manager.token,
      secretMode: 'keychain',
    });
    try {
      expect(await call('iam.capability', { profileId: viaIam.id })).toEqual({ canManage: true });
      const listed = await call<IamTokenDTO[]>('iam.list', { profileId: viaIam.id });
      expect(listed.find((x) => x.id === manager._id)?.own).toBe(true);
      expect(listed.filter((x) => x.own)).toHaveLength(1);

      const e = await board('Bee E');
      const hello = await call<PairingHandshake>('pairing.start', { port: e.pty.a });
      const params = {
        pairingId: hello.pairingId,
        ssid: 'Hive',
        wifiPassword: 'honeycomb',
        profileId: viaIam.id,
        waitSeconds: 30,
      };
      // garden is beyond the manager's rights: no token is minted, the port stays held for another try
      await expect(call('pairing.provision', { ...params, channel: 'garden', resource: 'soil' })).rejects.toThrow(
        /could not create a device token .*cannot grant data:read on garden/,
      );
      const paired = await call<ProvisionResultDTO>('pairing.provision', { ...params, channel: 'hive', resource: 'weight' });
      expect(paired.device.iamToken?.name).toBe('Bee E (hive)');
      expect(paired.firstMessage?.topic).toBe('hive/weight');
    } finally {
      await call('profiles.remove', { id: viaIam.id });
    }
  });

  it('a typed channel token, or deviceToken: false, pairs with the channel token as before; a failed pairing leaves no token', async () => {
    const c = await board('Bee C');
    const countTokens = async () => (await call<IamTokenDTO[]>('iam.list', { profileId: account.id })).length;
    const tokensBefore = await countTokens();
    const hello = await call<PairingHandshake>('pairing.start', { port: c.pty.a });
    await expect(
      call('pairing.provision', {
        pairingId: hello.pairingId,
        ssid: 'Hive',
        wifiPassword: 'wrong-password',
        profileId: account.id,
        channel: 'garden',
        resource: 'soil',
        waitSeconds: 10,
      }),
    ).rejects.toThrow(/could not join "Hive"/);
    expect(await countTokens()).toBe(tokensBefore); // the token minted for it was revoked again

    const again = await call<PairingHandshake>('pairing.start', { port: c.pty.a });
    const paired = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: again.pairingId,
      ssid: 'Hive',
      wifiPassword: 'honeycomb',
      profileId: account.id,
      channel: 'garden',
      resource: 'soil',
      waitSeconds: 30,
      deviceToken: false,
    });
    expect(paired.device.iamToken).toBeUndefined();
    expect(await logins(paired.clientId)).toMatchObject([{ channel: 'garden' }]);
    expect(await countTokens()).toBe(tokensBefore);
  });
});
