/** `apiary sandbox`: run in-process with free ports, one JSON line on stdout, clean stop on abort. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSandboxCommand } from '../../electron/commands/sandbox.js';
import { ALICE_HOME_TOKEN, SEED, connackCode, rest } from '../tools/sandbox-fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-sandbox-cli-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const FREE_PORTS = ['--mqtt-port', '0', '--mqtts-port', '0', '--http-port', '0'];

/** Starts the command, waits (bounded) for its stdout line, returns it with a stop function. */
async function start(args: string[]) {
  const controller = new AbortController();
  const stdout: string[] = [];
  const stderr: string[] = [];
  let notify: (() => void) | null = null;
  const exit = runSandboxCommand(args, {
    signal: controller.signal,
    stdout: (line) => {
      stdout.push(line);
      notify?.();
    },
    stderr: (line) => stderr.push(line),
  });
  await Promise.race([
    new Promise<void>((resolve) => (notify = resolve)),
    exit.then((code) => {
      throw new Error(`exited early with ${code}: ${stderr.join('\n')}`);
    }),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no ready line within 10 s')), 10_000)),
  ]);
  return { line: stdout[0]!, stdout, stderr, stop: async () => (controller.abort(), exit) };
}

describe('apiary sandbox --json', () => {
  it('prints one JSON line with every URL, the CA and the demo credentials, then stops cleanly', async () => {
    const run = await start([...FREE_PORTS, '--data', tempDir(), '--json']);
    const ready = JSON.parse(run.line) as {
      mqtt: string;
      mqtts: string;
      http: string;
      ws: string;
      ca: string;
      demo: { token: string; secretKey: string };
    };
    expect(ready.mqtt).toMatch(/^mqtt:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.ws).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.ca).toMatch(/sandbox-ca\.pem$/);
    expect(await connackCode(ready.mqtt, ready.demo.token)).toBe(0);
    // human text goes to stderr only, and it does not repeat the secrets in --json mode
    expect(run.stderr.join('\n')).toContain('Apiary sandbox ready');
    expect(run.stderr.join('\n')).not.toContain(ready.demo.secretKey);
    expect(await run.stop()).toBe(0);
    expect(run.stdout).toHaveLength(1);
    await expect(connackCode(ready.mqtt, ready.demo.token)).rejects.toThrow();
  });

  it('loads accounts from --seed and omits the demo account', async () => {
    const dir = tempDir();
    const seedPath = join(dir, 'seed.json');
    writeFileSync(seedPath, JSON.stringify(SEED));
    const run = await start([...FREE_PORTS, '--data', dir, '--seed', seedPath, '--json']);
    const ready = JSON.parse(run.line) as Record<string, unknown>;
    expect(ready.demo).toBeUndefined();
    const read = await rest(ready.http as string, 'GET', '/v1/data/read/home/temp', { token: ALICE_HOME_TOKEN });
    expect(read.status).toBe(200);
    expect(await run.stop()).toBe(0);
  });

  it('refuses bad arguments and bad seed files with a message and a non-zero code', async () => {
    const stderr: string[] = [];
    expect(await runSandboxCommand(['--mqtt-port', 'abc'], { stderr: (l) => stderr.push(l) })).toBe(2);
    expect(stderr.join('\n')).toMatch(/--mqtt-port needs a port number/);
    const dir = tempDir();
    const seedPath = join(dir, 'bad.json');
    writeFileSync(seedPath, JSON.stringify({ accounts: [{ owner: 'x' }] }));
    stderr.length = 0;
    expect(await runSandboxCommand([...FREE_PORTS, '--data', dir, '--seed', seedPath], { stderr: (l) => stderr.push(l) })).toBe(
      1,
    );
    expect(stderr.join('\n')).toMatch(/not a valid seed file/);
  });
});
