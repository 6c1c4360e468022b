/**
 * `apiary channels`, `apiary resources` and `apiary token` against the sandbox's REST v1 (signed requests),
 * in-process with captured I/O. Token regeneration is checked on MQTT too: the old token is refused and a
 * client that held it is dropped, and --update-profiles moves a saved profile to the new token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChannelsCommand } from '../../electron/commands/channels.js';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runPubCommand } from '../../electron/commands/pub.js';
import { runProfilesCommand } from '../../electron/commands/profiles.js';
import { runResourcesCommand } from '../../electron/commands/resources.js';
import { runTokenCommand } from '../../electron/commands/token.js';
import { accountFor, MemorySecretStore } from '../../electron/core/vault/index.js';
import { captureIo } from '../tools/cli-io.js';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type TestSandbox,
  closedByServer,
  connackCode,
  connectMqtt,
  endClient,
  startTestSandbox,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
let account: string[];
let dataDir: string;

beforeAll(async () => {
  t = await startTestSandbox();
  account = ['--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', ALICE.secretKey];
  dataDir = mkdtempSync(join(tmpdir(), 'apiary-cli-account-'));
});
afterAll(async () => {
  await t.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Runs a command, expects exit 0 and --json output, returns the parsed value. */
async function json<T = unknown>(run: (argv: string[], io: Partial<CommandIo>) => Promise<number>, argv: string[]): Promise<T> {
  const c = captureIo();
  const code = await run([...argv, '--json'], c.io);
  expect(code, c.out.stderr).toBe(0);
  return JSON.parse(c.out.stdout) as T;
}

type Channel = {
  name: string;
  label?: string;
  ispublic: boolean;
  resources: Array<{ name: string; vtype: string; sendOnSubscribe: boolean }>;
};

describe('channels', () => {
  it('lists the account channels without their tokens', async () => {
    const c = captureIo();
    expect(await runChannelsCommand(['list', ...account, '--json'], c.io)).toBe(0);
    const channels = JSON.parse(c.out.stdout) as Channel[];
    expect(channels.map((ch) => ch.name).sort()).toEqual(['garage', 'home', 'legacy', 'open']);
    expect(c.out.stdout).not.toMatch(/token/);
  });

  it('takes the account keys from APIARY_API_KEY / APIARY_SECRET_KEY', async () => {
    const c = captureIo({ env: { APIARY_API_KEY: ALICE.apiKey, APIARY_SECRET_KEY: ALICE.secretKey } });
    expect(await runChannelsCommand(['list', '--api', t.sandbox.urls.http], c.io), c.out.stderr).toBe(0);
    expect(c.out.stdout).toMatch(/^home \(private\) /m);
  });

  it('creates a channel with typed resources, shows it in the list, deletes it', async () => {
    const created = await json<Channel>(runChannelsCommand, [
      'create',
      'kitchen',
      '--resource',
      'temp:number:sos',
      '--resource',
      'note:string',
      '--label',
      'Kitchen',
      ...account,
    ]);
    expect(created).toMatchObject({ name: 'kitchen', label: 'Kitchen', ispublic: false });
    expect(
      created.resources
        .map(({ name, vtype, sendOnSubscribe }) => ({ name, vtype, sendOnSubscribe }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    ).toEqual([
      { name: 'note', vtype: 'string', sendOnSubscribe: false },
      { name: 'temp', vtype: 'number', sendOnSubscribe: true },
    ]);
    const human = captureIo();
    expect(await runChannelsCommand(['list', ...account], human.io)).toBe(0);
    expect(human.out.stdout).toMatch(/^kitchen "Kitchen" \(private\) .*temp:number:sos/m);

    const deleted = await json(runChannelsCommand, ['delete', 'kitchen', ...account]);
    expect(deleted).toEqual({ deleted: 'kitchen' });
    const after = await json<Channel[]>(runChannelsCommand, ['list', ...account]);
    expect(after.map((ch) => ch.name)).not.toContain('kitchen');
  });

  it('checks names and vtypes before sending anything', async () => {
    const badName = captureIo();
    expect(await runChannelsCommand(['create', 'a', ...account], badName.io)).toBe(2);
    expect(badName.out.stderr).toMatch(/channel name "a" must be 2–64/);
    const badType = captureIo();
    expect(await runChannelsCommand(['create', 'kitchen2', '--resource', 'x1:colour', ...account], badType.io)).toBe(2);
    expect(badType.out.stderr).toMatch(/unknown vtype "colour"/);
  });

  it('turns Beebotte errors into readable messages, never echoing a secret', async () => {
    const dup = captureIo();
    expect(await runChannelsCommand(['create', 'home', ...account], dup.io)).toBe(1);
    expect(dup.out.stderr).toMatch(/answered 4\d\d/);
    const channelToken = captureIo();
    expect(await runChannelsCommand(['list', '--api', t.sandbox.urls.http, '--token', ALICE_HOME_TOKEN], channelToken.io)).toBe(
      1,
    );
    expect(channelToken.out.stderr).toMatch(/not allowed with this credential/);
    const wrongKey = captureIo();
    const wrong = 'wrongSecretKey0000000000000000001';
    expect(
      await runChannelsCommand(
        ['list', '--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', wrong],
        wrongKey.io,
      ),
    ).toBe(1);
    expect(wrongKey.out.stderr).toMatch(/authentication failed/);
    expect(wrongKey.out.stderr).not.toContain(wrong);
  });
});

describe('resources', () => {
  it('creates, lists and deletes a resource', async () => {
    const created = await json(runResourcesCommand, ['create', 'garage', 'light:boolean', '--label', 'Light', ...account]);
    expect(created).toEqual({ channel: 'garage', name: 'light', vtype: 'boolean', sendOnSubscribe: false, label: 'Light' });
    const listed = await json<Channel['resources']>(runResourcesCommand, ['list', 'garage', ...account]);
    expect(listed.map((r) => r.name).sort()).toEqual(['door', 'light']);
    expect(await json(runResourcesCommand, ['delete', 'garage', 'light', ...account])).toEqual({ deleted: 'garage/light' });
    const after = await json<Channel['resources']>(runResourcesCommand, ['list', 'garage', ...account]);
    expect(after.map((r) => r.name)).toEqual(['door']);
  });

  it('a missing channel is reported as such', async () => {
    const c = captureIo();
    expect(await runResourcesCommand(['create', 'nowhere', 'x1', ...account], c.io)).toBe(1);
    expect(c.out.stderr).toMatch(/not found/);
  });
});

describe('token', () => {
  it('get prints the channel token, and only that', async () => {
    const c = captureIo();
    expect(await runTokenCommand(['get', 'home', ...account], c.io)).toBe(0);
    expect(c.out.stdout).toBe(`${ALICE_HOME_TOKEN}\n`);
  });

  it('regenerate: a new token, the old one refused on MQTT, its clients dropped, saved profiles updated', async () => {
    await json(runChannelsCommand, ['create', 'shed', '--resource', 'door:string', ...account]);
    const oldToken = (await json<{ token: string }>(runTokenCommand, ['get', 'shed', ...account])).token;
    expect(await connackCode(t.sandbox.urls.mqtt, oldToken)).toBe(0);

    // a saved profile that holds the old token (keychain stand-in: an in-memory store)
    const secrets = new MemorySecretStore();
    const add = captureIo({ secrets }, `${oldToken}\n`);
    expect(
      await runProfilesCommand(
        ['add', '--name', 'shed', '--kind', 'beebotte', '--port', '1883', '--secret-stdin', '--data', dataDir, '--json'],
        add.io,
      ),
      add.out.stderr,
    ).toBe(0);
    const profileId = (JSON.parse(add.out.stdout) as { id: string }).id;

    const holder = await connectMqtt(t.sandbox.urls.mqtt, oldToken);
    const dropped = closedByServer(holder, 8000);
    const regen = captureIo({ secrets });
    expect(
      await runTokenCommand(['regenerate', 'shed', '--update-profiles', '--data', dataDir, ...account, '--json'], regen.io),
      regen.out.stderr,
    ).toBe(0);
    const result = JSON.parse(regen.out.stdout) as { channel: string; token: string; updatedProfiles: string[] };
    expect(result.channel).toBe('shed');
    expect(result.token).not.toBe(oldToken);
    expect(result.updatedProfiles).toEqual(['shed']);
    await dropped;
    await endClient(holder);

    expect(await connackCode(t.sandbox.urls.mqtt, oldToken)).toBe(5);
    expect(await connackCode(t.sandbox.urls.mqtt, result.token)).toBe(0);
    expect(await secrets.get(accountFor(profileId))).toBe(result.token);

    // the updated profile publishes with the new token (its credential, the sandbox's address)
    const pub = captureIo({ secrets });
    expect(
      await runPubCommand(
        ['shed/door', '"open"', '--profile', 'shed', '--broker', t.sandbox.urls.mqtt, '--data', dataDir, '--qos', '1'],
        pub.io,
      ),
      pub.out.stderr,
    ).toBe(0);
  });
});
