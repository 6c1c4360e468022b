/**
 * `apiary iam` against the sandbox's REST v1, in-process with captured I/O: a token made with --channel
 * reaches only that channel over MQTT, list and show keep values out, revoke drops its live connection, an
 * IAM token manages only what it holds, and bad usage exits 2 before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runIamCommand } from '../../electron/commands/iam.js';
import { captureIo } from '../tools/cli-io.js';
import {
  ALICE,
  type TestSandbox,
  closedByServer,
  connackCode,
  connectMqtt,
  endClient,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
let account: string[];

beforeAll(async () => {
  t = await startTestSandbox();
  account = ['--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', ALICE.secretKey];
});
afterAll(async () => {
  await t.cleanup();
});

async function iam(argv: string[], extra: Partial<CommandIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = captureIo(extra);
  const code = await runIamCommand(argv, c.io);
  return { code, ...c.out };
}

describe('apiary iam', () => {
  it('create --channel makes a token for that channel only; list and show keep values out; revoke drops it', async () => {
    const made = await iam(['create', 'Bee on home', '--channel', 'home', '--description', 'from the CLI test', ...account]);
    expect(made.code, made.stderr).toBe(0);
    const value = made.stdout.trim();
    expect(value).toMatch(/^iamtkn_\w+$/); // alone on stdout, to pipe
    const id = /created (\w+) {2}Bee on home: read data on home; write data on home/.exec(made.stderr)?.[1];
    expect(id, made.stderr).toBeTruthy();

    const client = await connectMqtt(t.sandbox.urls.mqtt, value);
    expect(await subscribe(client, 'home/#')).toEqual([0]);
    expect(await subscribe(client, 'garage/door')).toEqual([128]);

    const list = await iam(['list', ...account, '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as { id: string; name: string; description: string }[];
    expect(listed.find((x) => x.id === id)).toMatchObject({ name: 'Bee on home', description: 'from the CLI test' });
    expect(list.stdout).not.toContain('iamtkn_');
    const human = await iam(['list', ...account]);
    expect(human.stdout).toContain(`${id}  Bee on home: read data on home; write data on home`);
    expect(human.stdout).not.toContain('iamtkn_');
    expect((await iam(['show', id!, ...account])).stdout).not.toContain('iamtkn_');
    expect((await iam(['show', id!, '--value', ...account])).stdout).toBe(`${value}\n`);

    const dropped = closedByServer(client);
    const revoked = await iam(['revoke', id!, ...account]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`revoked IAM token ${id}`);
    await dropped;
    await endClient(client);
    expect(await connackCode(t.sandbox.urls.mqtt, value)).toBe(5);
    const gone = await iam(['show', id!, ...account]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/404\/1300/);
  });

  it('--scope rules; an IAM token manages tokens only within its own rights', async () => {
    const made = await iam([
      'create',
      'token manager',
      '--scope',
      'admin:iam:read',
      '--scope',
      'admin:iam:write',
      '--scope',
      'data:read=home,garage.door',
      ...account,
      '--json',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const manager = JSON.parse(made.stdout) as { token: string; acl: unknown[] };
    expect(manager.acl).toEqual([
      { action: 'admin:iam:read' },
      { action: 'admin:iam:write' },
      { action: 'data:read', resource: ['home', 'garage.door'] },
    ]);
    const asManager = ['--api', t.sandbox.urls.http, '--token', manager.token];
    const ok = await iam(['create', 'reader', '--scope', 'data:read=home', ...asManager]);
    expect(ok.code, ok.stderr).toBe(0);
    const wider = await iam(['create', 'writer', '--channel', 'home', ...asManager]);
    expect(wider.code).toBe(1);
    expect(wider.stderr).toMatch(/405\/1102.*cannot grant data:write on home/);
    expect(wider.stdout).toBe('');
  });

  it('bad usage exits 2 and sends nothing', async () => {
    for (const [argv, message] of [
      [['create', 'x', '--channel', 'home'], /NAME of 2–48/],
      [['create', 'name', '--scope', 'data:delete'], /the action must be one of/],
      [['create', 'name', '--scope', 'admin:iam:read=home'], /takes no =RESOURCE/],
      [['create', 'name', '--scope', 'data:read=home/temp'], /not channel, channel.resource/],
      [['create', 'name'], /either --channel C or --scope/],
      [['revoke'], /needs the token's id/],
      [['list', '--value'], /--value goes with show/],
      [['drop'], /unknown action "drop"/],
    ] as const) {
      const r = await iam([...argv, ...account]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr, argv.join(' ')).toMatch(message);
    }
    expect((await iam(['--help'])).stdout).toContain('usage: apiary iam <list|show|create|revoke>');
  });
});
