/**
 * `apiary provision --profile NAME --device-token`: a saved secret-key profile (its secret in the real OS
 * keychain under with-keyring.sh) gives the simulated board on a socat pty an IAM token of its own, named
 * after it, with data on its channel only; the result names it (never its value); `apiary iam revoke` then
 * locks that board out. A board that fails to pair leaves no token behind.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIamCommand } from '../../electron/commands/iam.js';
import { resolveProfileForDevice } from '../../electron/commands/profile-resolver.js';
import { runProvisionCommand, type ProvisionDeps } from '../../electron/commands/provision.js';
import { IamClient } from '../../electron/core/beebotte/iam-client.js';
import { BeebotteRest } from '../../electron/core/beebotte/rest-client.js';
import { DeviceRegistry } from '../../electron/core/devices/registry.js';
import { ProfileStore } from '../../electron/core/profiles/profile-store.js';
import { Settings, openDatabase } from '../../electron/core/store/index.js';
import { normalizeProfile } from '../../electron/core/profiles/profile.js';
import { KeytarSecretStore, accountFor } from '../../electron/core/vault/index.js';
import { captureIo } from '../tools/cli-io.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import {
  ALICE,
  type TestSandbox,
  connackCode,
  connectMqtt,
  endClient,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

const keyring = process.env.APIARY_TEST_KEYRING === '1';
const secrets = new KeytarSecretStore({ service: `Apiary-test-provtoken-${process.pid}` });
const dataDir = mkdtempSync(join(tmpdir(), 'apiary-provision-devtoken-'));
let t: TestSandbox;
const held: { pty: PtyPair; sim: Sim }[] = [];

const account = () =>
  new IamClient(new BeebotteRest(t.sandbox.urls.http, { kind: 'keys', apiKey: ALICE.apiKey, secretKey: ALICE.secretKey }));

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

async function board(name: string, password = 'honeycomb') {
  const pty = await startPtyPair();
  const sim = await startSim(pty.b, ['--ssid', 'Hive', '--password', password, '--name', name, '--publish-ms', '300']);
  held.push({ pty, sim });
  return { pty, sim };
}

/** --profile NAME as the CLI resolves it, with the broker moved to the sandbox (the credentials stay as resolved). */
const resolveProfile: ProvisionDeps['resolveProfile'] = async (n, c, o) => {
  const { ca: _ca, ...resolved } = await resolveProfileForDevice(n, c, { dataDir, secrets, api: t.sandbox.urls.http, ...o });
  return { ...resolved, url: t.sandbox.urls.mqtt };
};

/** --profile keys --device-token */
async function provision(port: string, wifiPassword: string) {
  const out = sink();
  const err = sink();
  const argv = ['--port', port, '--wifi-ssid', 'Hive', '--wifi-password', wifiPassword, '--profile', 'keys', '--device-token'];
  argv.push('--channel', 'home', '--resource', 'temp', '--wait-first-message', '15', '--json');
  const code = await runProvisionCommand(argv, { resolveProfile, stdout: out.stream, stderr: err.stream });
  return {
    code,
    result: JSON.parse(out.text().trim().split('\n').at(-1) ?? 'null') as Record<string, unknown>,
    stderr: err.text(),
  };
}

beforeAll(async () => {
  if (!keyring) return;
  t = await startTestSandbox();
  const store = new ProfileStore(join(dataDir, 'profiles.json'));
  store.put(normalizeProfile({ name: 'keys', kind: 'beebotte', credentialType: 'secretKey', apiKey: ALICE.apiKey }, 'keys'));
  await secrets.set(accountFor('keys'), ALICE.secretKey);
});
afterAll(async () => {
  for (const b of held) {
    await b.sim.stop();
    await b.pty.stop();
  }
  if (keyring) await secrets.delete(accountFor('keys')).catch(() => undefined);
  await t?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!keyring)('apiary provision --device-token (run under test/tools/with-keyring.sh)', () => {
  it('the board gets an IAM token of its own for its channel; iam revoke locks it out', async () => {
    const { pty, sim } = await board('Bench Bee');
    const run = await provision(pty.a, 'honeycomb');
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toMatchObject({ ok: true, firstMessage: { topic: 'home/temp' }, iamToken: { name: 'Bench Bee (home)' } });
    expect(run.stderr).toMatch(/→ device token: Bench Bee \(home\) \(id \w+\), data on home only/);
    const id = (run.result.iamToken as { id: string }).id;
    const value = await account().value(id);
    expect(value).toMatch(/^iamtkn_/);
    for (const text of [run.stderr, JSON.stringify(run.result), sim.output()]) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(ALICE.secretKey);
    }
    expect((await account().get(id)).acl).toEqual([
      { action: 'data:read', resource: ['home'] },
      { action: 'data:write', resource: ['home'] },
    ]);
    const probe = await connectMqtt(t.sandbox.urls.mqtt, value);
    expect(await subscribe(probe, 'home/temp')).toEqual([0]);
    expect(await subscribe(probe, 'garage/door')).toEqual([128]);
    await endClient(probe);

    const c = captureIo();
    const code = await runIamCommand(
      ['revoke', id, '--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', ALICE.secretKey],
      c.io,
    );
    expect(code, c.out.stderr).toBe(0);
    expect(await connackCode(t.sandbox.urls.mqtt, value)).toBe(5);
  });

  it('--batch --device-token: each board its own token, named in the report and the registry', async () => {
    const a = await board('Batch A');
    const b = await board('Batch B');
    const file = join(dataDir, 'boards.csv');
    writeFileSync(file, `port,channel,resource\n${a.pty.a},home,temp\n${b.pty.a},garage,door\n`);
    const report = join(dataDir, 'report.json');
    const out = sink();
    const err = sink();
    const argv = ['--batch', file, '--wifi-password-stdin', '--wifi-ssid', 'Hive', '--profile', 'keys', '--device-token'];
    argv.push('--data', dataDir, '--report', report, '--wait-first-message', '15');
    const code = await runProvisionCommand(argv, {
      resolveProfile,
      stdin: Readable.from(['honeycomb\n']),
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(code, err.text()).toBe(0);
    const boards = (
      JSON.parse(readFileSync(report, 'utf8')) as { boards: { status: string; iamToken?: { id: string; name: string } }[] }
    ).boards;
    expect(boards.map((x) => [x.status, x.iamToken?.name])).toEqual([
      ['paired', 'Batch A (home)'],
      ['paired', 'Batch B (garage)'],
    ]);
    const [ta, tb] = boards.map((x) => x.iamToken!.id);
    expect((await account().get(tb!)).acl).toEqual([
      { action: 'data:read', resource: ['garage'] },
      { action: 'data:write', resource: ['garage'] },
    ]);
    // the registry the desk reads: each device with its token's id and name; no value anywhere in the data dir
    const db = openDatabase(join(dataDir, 'apiary.db'));
    const known = new DeviceRegistry(new Settings(db)).list();
    db.close();
    expect(known.map((d) => d.iamToken?.id).sort()).toEqual([ta, tb].sort());
    const values = await Promise.all([ta!, tb!].map((id) => account().value(id)));
    for (const f of readdirSync(dataDir))
      for (const v of values) expect(readFileSync(join(dataDir, f)).includes(v), f).toBe(false);
    for (const v of values) expect(out.text() + err.text()).not.toContain(v);
  });

  it('a board that fails at Wi-Fi leaves no token; --device-token without --profile is bad usage', async () => {
    const before = (await account().list()).length;
    const { pty } = await board('Lost Bee');
    const run = await provision(pty.a, 'wrong-password');
    expect(run.code).toBe(1);
    expect(run.result).toMatchObject({ ok: false, step: 'wifi' });
    expect(run.result.iamToken).toBeUndefined();
    expect((await account().list()).length).toBe(before);

    const err = sink();
    const out = sink();
    const argv = ['--port', pty.a, '--keep-wifi', '--broker', t.sandbox.urls.mqtt, '--token', 'token_x', '--device-token'];
    expect(
      await runProvisionCommand([...argv, '--channel', 'home', '--resource', 'temp'], { stderr: err.stream, stdout: out.stream }),
    ).toBe(2);
    expect(err.text()).toContain('--device-token needs --profile NAME');
  });
});
