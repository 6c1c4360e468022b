/**
 * `apiary profiles list|add|remove|show`. The keychain cases use the real OS keychain (gnome-keyring on a
 * private D-Bus) and run under the wrapper:
 *   bash test/tools/with-keyring.sh npx vitest run --project integration test/integration/cli-profiles.test.ts
 * The rest use an in-memory store in place of the keychain. No output ever contains a secret.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runProfilesCommand } from '../../electron/commands/profiles.js';
import { runPubCommand } from '../../electron/commands/pub.js';
import { runSubCommand } from '../../electron/commands/sub.js';
import { KeytarSecretStore, MemorySecretStore, accountFor, usernameSlot } from '../../electron/core/vault/index.js';
import { captureIo } from '../tools/cli-io.js';
import { ALICE_HOME_TOKEN, startTestSandbox, type TestSandbox } from '../tools/sandbox-fixtures.js';

const underKeyring = process.env.APIARY_TEST_KEYRING === '1';
const TOKEN = 'token_cliProfilesTest0000001';
const dirs: string[] = [];

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-cli-profiles-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function profiles(argv: string[], extra: Partial<CommandIo> = {}, stdin?: NodeJS.ReadableStream) {
  const c = captureIo(extra, stdin ?? '');
  const code = await runProfilesCommand(argv, c.io);
  return { code, ...c.out };
}

describe('profiles with an in-memory keychain', () => {
  const secrets = new MemorySecretStore();
  const dir = dataDir();
  const base = { secrets };

  it('add takes the secret from the environment, stores it apart, and never prints it', async () => {
    const r = await profiles(['add', '--name', 'cloud', '--kind', 'beebotte', '--api-key', 'myApiKey', '--data', dir, '--json'], {
      ...base,
      env: { APIARY_TOKEN: TOKEN },
    });
    expect(r.code, r.stderr).toBe(0);
    const dto = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(dto).toMatchObject({
      name: 'cloud',
      kind: 'beebotte',
      port: 8883,
      tls: true,
      credentialType: 'channelToken',
      apiKey: 'myApiKey',
      hasSecret: true,
    });
    expect(await secrets.get(accountFor(String(dto.id)))).toBe(TOKEN);
    expect(readFileSync(join(dir, 'profiles.json'), 'utf8')).not.toContain(TOKEN);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it('list and show say hasSecret, not the secret', async () => {
    const list = await profiles(['list', '--data', dir, '--json'], base);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ name: string; hasSecret: boolean }>).map((p) => [p.name, p.hasSecret])).toEqual([
      ['cloud', true],
    ]);
    const show = await profiles(['show', 'cloud', '--data', dir], base);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^hasSecret\s+true$/m);
    for (const out of [list.stdout, show.stdout]) expect(out).not.toContain(TOKEN);
  });

  it('the prompt reads the secret without echoing it', async () => {
    const stdin = Object.assign(Readable.from(['typed-secret-value\n']), { isTTY: true });
    const r = await profiles(
      ['add', '--name', 'prompted', '--kind', 'beebotte', '--credential-type', 'secretKey', '--data', dir, '--json'],
      base,
      stdin,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/account secret key for prompted \(not shown\)/);
    expect(r.stderr + r.stdout).not.toContain('typed-secret-value');
    expect(await secrets.get(accountFor((JSON.parse(r.stdout) as { id: string }).id))).toBe('typed-secret-value');
  });

  it('--ask stores no secret', async () => {
    const r = await profiles(['add', '--name', 'asking', '--kind', 'beebotte', '--ask', '--data', dir, '--json'], base);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ secretMode: 'ask', hasSecret: false });
  });

  it('refuses bad input with the flag to fix', async () => {
    const dup = await profiles(['add', '--name', 'cloud', '--kind', 'beebotte', '--data', dir], {
      ...base,
      env: { APIARY_TOKEN: TOKEN },
    });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const noSecret = await profiles(['add', '--name', 'x', '--kind', 'beebotte', '--data', dir], base);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/needs its credential/);
    const badType = await profiles(
      ['add', '--name', 'y', '--kind', 'beebotte', '--credential-type', 'password', '--data', dir],
      base,
    );
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/--credential-type/);
    const badUrl = await profiles(['add', '--name', 'z', '--kind', 'mqtt', '--url', 'http://example', '--data', dir], base);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/unsupported scheme http:/);
    const badPort = await profiles(['add', '--name', 'w', '--kind', 'beebotte', '--port', '1234', '--data', dir], {
      ...base,
      env: { APIARY_TOKEN: TOKEN },
    });
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toMatch(/1883 .* 8883/);
    const unknown = await profiles(['frobnicate', '--data', dir], base);
    expect(unknown.code).toBe(2);
    const missing = await profiles(['show', 'nobody', '--data', dir], base);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no profile named "nobody"/);
  });

  it('remove deletes the profile and its secret', async () => {
    const id = (JSON.parse((await profiles(['show', 'cloud', '--data', dir, '--json'], base)).stdout) as { id: string }).id;
    const r = await profiles(['remove', 'cloud', '--data', dir, '--json'], base);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ removed: 'cloud', id, secretDeleted: true });
    expect(await secrets.get(accountFor(id))).toBeNull();
    const list = JSON.parse((await profiles(['list', '--data', dir, '--json'], base)).stdout) as Array<{ name: string }>;
    expect(list.map((p) => p.name).sort()).toEqual(['asking', 'prompted']);
  });
});

describe('a Beebotte token as a generic MQTT username (a Beebotte-compatible server: the sandbox)', () => {
  const secrets = new MemorySecretStore();
  const dir = dataDir();
  const base = { secrets };
  let sbx: TestSandbox;
  let id = '';
  afterAll(async () => sbx?.cleanup());

  it('add keeps it in the keychain, not in profiles.json; list and show never print it', async () => {
    sbx = await startTestSandbox();
    const url = sbx.sandbox.urls.mqtt;
    const add = await profiles(
      ['add', '--name', 'tokuser', '--kind', 'mqtt', '--url', url, '--username', ALICE_HOME_TOKEN, '--data', dir, '--json'],
      base,
    );
    expect(add.code, add.stderr).toBe(0);
    const dto = JSON.parse(add.stdout) as Record<string, unknown>;
    expect(dto).toMatchObject({ name: 'tokuser', kind: 'mqtt', usernameIsSecret: true, usernameStored: true });
    expect(dto.username).toBeUndefined();
    id = String(dto.id);
    expect(await secrets.get(accountFor(usernameSlot(id)))).toBe(ALICE_HOME_TOKEN);
    expect(readFileSync(join(dir, 'profiles.json'), 'utf8')).not.toContain(ALICE_HOME_TOKEN);
    const outputs = [add.stdout + add.stderr];
    for (const argv of [['list'], ['list', '--json'], ['show', 'tokuser'], ['show', 'tokuser', '--json']]) {
      const r = await profiles([...argv, '--data', dir], base);
      expect(r.code, r.stderr).toBe(0);
      outputs.push(r.stdout + r.stderr);
    }
    expect(outputs[1]).toMatch(/tokuser .* token username/);
    expect(outputs[3]).toMatch(/^usernameIsSecret\s+true$/m);
    for (const out of outputs) expect(out).not.toContain(ALICE_HOME_TOKEN);
    // --ask would keep it for one run of the app only: refused
    const ask = await profiles(
      ['add', '--name', 'asky', '--kind', 'mqtt', '--url', url, '--username', ALICE_HOME_TOKEN, '--ask', '--data', dir],
      base,
    );
    expect(ask.code).toBe(2);
    expect(ask.stderr).toMatch(/--ask keeps secrets for one run/);
    expect(ask.stderr).not.toContain(ALICE_HOME_TOKEN);
  });

  it('sub and pub --profile connect with it', async () => {
    const sub = captureIo();
    const exit = runSubCommand(['home/note', '--profile', 'tokuser', '--data', dir, '--count', '1', '--timeout', '8', '--json'], {
      ...sub.io,
      secrets,
    });
    for (let i = 0; i < 100 && !/subscribed to/.test(sub.out.stderr); i++) await new Promise((r) => setTimeout(r, 50));
    expect(sub.out.stderr).toMatch(/subscribed to home\/note/);
    const pub = captureIo();
    const args = ['home/note', '{"data":"via a token username"}', '--profile', 'tokuser', '--data', dir, '--qos', '1'];
    expect(await runPubCommand(args, { ...pub.io, secrets }), pub.out.stderr).toBe(0);
    expect(await exit, sub.out.stderr).toBe(0);
    expect(sub.out.stdout).toContain('via a token username');
    for (const text of [sub.out.stdout, sub.out.stderr, pub.out.stdout, pub.out.stderr])
      expect(text).not.toContain(ALICE_HOME_TOKEN);
  });

  it('remove deletes the profile, its password and its token username', async () => {
    const r = await profiles(['remove', 'tokuser', '--data', dir, '--json'], base);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ removed: 'tokuser', id, secretDeleted: false, usernameDeleted: true });
    expect(await secrets.get(accountFor(usernameSlot(id)))).toBeNull();
  });

  it('a token username an older version wrote to profiles.json moves to the keychain at the next command', async () => {
    const legacyDir = dataDir();
    const legacy = {
      id: 'old1',
      name: 'old',
      kind: 'mqtt',
      url: 'mqtt://127.0.0.1:1883',
      username: ALICE_HOME_TOKEN,
      tls: false,
      protocolVersion: 4,
      verifyTls: true,
      subscriptions: ['#'],
      autoConnect: false,
      secretMode: 'keychain',
      builtIn: false,
    };
    writeFileSync(join(legacyDir, 'profiles.json'), JSON.stringify({ version: 1, profiles: [legacy] }));
    const list = await profiles(['list', '--data', legacyDir, '--json'], base);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toMatch(/profile old: its username \(a Beebotte token\) moved from profiles.json to the keychain/);
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: 'old1', usernameIsSecret: true, usernameStored: true }]);
    expect(list.stdout + list.stderr + readFileSync(join(legacyDir, 'profiles.json'), 'utf8')).not.toContain(ALICE_HOME_TOKEN);
    expect(await secrets.get(accountFor(usernameSlot('old1')))).toBe(ALICE_HOME_TOKEN);
  });
});

describe.skipIf(!underKeyring)('profiles with the real keychain (gnome-keyring)', () => {
  const dir = dataDir();
  const keychain = new KeytarSecretStore();

  it('add → the secret is in the keychain; remove → it is gone', async () => {
    const add = await profiles(
      [
        'add',
        '--name',
        'real',
        '--kind',
        'mqtt',
        '--url',
        'mqtt://127.0.0.1:1883',
        '--username',
        'bob',
        '--secret-stdin',
        '--data',
        dir,
        '--json',
      ],
      {},
      Readable.from(['keychain-password\n']),
    );
    expect(add.code, add.stderr).toBe(0);
    const id = (JSON.parse(add.stdout) as { id: string }).id;
    expect(await keychain.get(accountFor(id))).toBe('keychain-password');
    const show = await profiles(['show', 'real', '--data', dir, '--json'], {});
    expect(JSON.parse(show.stdout)).toMatchObject({ username: 'bob', hasSecret: true });
    expect(show.stdout).not.toContain('keychain-password');
    const remove = await profiles(['remove', 'real', '--data', dir], {});
    expect(remove.code).toBe(0);
    expect(await keychain.get(accountFor(id))).toBeNull();
  });
});
