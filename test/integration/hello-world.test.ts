/**
 * The README's Hello World, kept honest: the two snippet files (resources/examples/hello-world/) run against the sandbox —
 * Paho with Debian's /usr/bin/python3 (python3-paho-mqtt), MQTT.js with node — over MQTT and MQTT/TLS, each
 * connecting with `token:<channel token>` and a blank password. The value they write is read back over REST,
 * and the README's Hello World section must embed each snippet file's exact text.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChannelsCommand } from '../../electron/commands/channels.js';
import { runTokenCommand } from '../../electron/commands/token.js';
import { type SandboxHandle, startSandbox } from '../../electron/sandbox/index.js';
import { captureIo } from '../tools/cli-io.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PAHO = join(root, 'resources', 'examples', 'hello-world', 'paho_hello.py');
const MQTTJS = join(root, 'resources', 'examples', 'hello-world', 'mqttjs_hello.mjs');
const DOC = join(root, 'README.md');
const TOPIC = 'hello/world';

let sandbox: SandboxHandle;
let dir: string;
let token: string;

/** Runs a snippet with a hard time limit; the environment carries no BBT_* unless given. */
function runSnippet(cmd: string, args: string[], env: Record<string, string> = {}, timeoutMs = 20_000) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BBT_')));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(cmd, args, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => (clearTimeout(timer), fail(err)));
    child.on('close', (code) => (clearTimeout(timer), done({ code, stdout, stderr })));
  });
}

async function persistedCount(): Promise<number> {
  const res = await fetch(`${sandbox.urls.http}/v1/data/read/hello/world?limit=100`, {
    headers: { 'X-Auth-Token': token },
    signal: AbortSignal.timeout(8000),
  });
  expect(res.status).toBe(200);
  const rows = (await res.json()) as Array<{ data: unknown }>;
  expect(rows.every((r) => r.data === 'Hello World')).toBe(true);
  return rows.length;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-hello-'));
  sandbox = await startSandbox({ dataDir: dir });
  const demo = sandbox.demo!;
  const account = ['--api', sandbox.urls.http, '--api-key', demo.apiKey, '--secret-key', demo.secretKey];
  // the same two commands the README's Hello World section tells a reader to run
  const create = captureIo();
  expect(
    await runChannelsCommand(['create', 'hello', '--resource', 'world:string', ...account], create.io),
    create.out.stderr,
  ).toBe(0);
  const get = captureIo();
  expect(await runTokenCommand(['get', 'hello', ...account], get.io), get.out.stderr).toBe(0);
  token = get.out.stdout.trim();
  expect(token).toMatch(/^token_/);
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const port = (url: string) => new URL(url).port;

describe('Hello World snippets against the sandbox', () => {
  it('Paho (Debian python3), cleartext, settings on the command line', async () => {
    const before = await persistedCount();
    const r = await runSnippet('/usr/bin/python3', [
      PAHO,
      '--host',
      '127.0.0.1',
      '--port',
      port(sandbox.urls.mqtt),
      '--token',
      token,
      '--topic',
      TOPIC,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello\/world .*"data": ?"Hello World"/m);
    expect(await persistedCount()).toBe(before + 1);
  });

  it('Paho over TLS with the CA, settings in the environment', async () => {
    const before = await persistedCount();
    const r = await runSnippet('/usr/bin/python3', [PAHO], {
      BBT_HOST: '127.0.0.1',
      BBT_PORT: port(sandbox.urls.mqtts!),
      BBT_TOKEN: token,
      BBT_CA: sandbox.caPath,
      BBT_TOPIC: TOPIC,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello\/world .*"Hello World"/m);
    expect(await persistedCount()).toBe(before + 1);
  });

  it('MQTT.js, cleartext, settings in the environment', async () => {
    const before = await persistedCount();
    const r = await runSnippet(process.execPath, [MQTTJS], {
      BBT_HOST: '127.0.0.1',
      BBT_PORT: port(sandbox.urls.mqtt),
      BBT_TOKEN: token,
      BBT_TOPIC: TOPIC,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello\/world .*"Hello World"/m);
    expect(await persistedCount()).toBe(before + 1);
  });

  it('MQTT.js over TLS with the CA, settings on the command line', async () => {
    const before = await persistedCount();
    const r = await runSnippet(process.execPath, [
      MQTTJS,
      '--host',
      '127.0.0.1',
      '--port',
      port(sandbox.urls.mqtts!),
      '--token',
      token,
      '--ca',
      sandbox.caPath,
      '--topic',
      TOPIC,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^hello\/world .*"Hello World"/m);
    expect(await persistedCount()).toBe(before + 1);
  });

  it('a wrong token fails with a non-zero exit, for both', async () => {
    const args = [
      '--host',
      '127.0.0.1',
      '--port',
      port(sandbox.urls.mqtt),
      '--token',
      'token_wrong000000000001',
      '--topic',
      TOPIC,
    ];
    const paho = await runSnippet('/usr/bin/python3', [PAHO, ...args]);
    expect(paho.code).not.toBe(0);
    expect(paho.stderr).toMatch(/refused|not authori[sz]ed/i);
    const js = await runSnippet(process.execPath, [MQTTJS, ...args]);
    expect(js.code).not.toBe(0);
    expect(js.stderr).toMatch(/connection failed: .*not authorized/i);
  });
});

describe('the README Hello World section', () => {
  const doc = () => readFileSync(DOC, 'utf8');

  it('embeds each snippet file exactly as it is tested', () => {
    expect(doc()).toContain(`\`\`\`python\n${readFileSync(PAHO, 'utf8')}\`\`\``);
    expect(doc()).toContain(`\`\`\`js\n${readFileSync(MQTTJS, 'utf8')}\`\`\``);
  });

  it('names the commands and ports this test runs', () => {
    for (const text of [
      'apiary sandbox --json',
      'apiary channels create hello --resource world:string',
      'apiary token get hello',
      '/usr/bin/python3 resources/examples/hello-world/paho_hello.py',
      'node resources/examples/hello-world/mqttjs_hello.mjs',
      'resources/certs/beebotte-ca.pem',
      '--port 8883',
    ]) {
      expect(doc()).toContain(text);
    }
  });
});
