/**
 * `apiary pub` / `apiary sub` against Debian's mosquitto as a generic broker: an anonymous cleartext listener
 * and a TLS listener with a password file. No Beebotte rules apply there (any topic depth, payloads as given).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runProfilesCommand } from '../../electron/commands/profiles.js';
import { runPubCommand } from '../../electron/commands/pub.js';
import { runSubCommand } from '../../electron/commands/sub.js';
import { ensureTlsMaterial } from '../../electron/sandbox/tls-certs.js';
import { MemorySecretStore } from '../../electron/core/vault/index.js';

const USER = 'alice';
const PASSWORD = 'wonderland-test-password';

function capture(extra: Partial<CommandIo> = {}, stdinText = '') {
  const out = { stdout: '', stderr: '' };
  let onWrite = () => undefined as void;
  const io: Partial<CommandIo> = {
    stdout: { write: (text: string) => ((out.stdout += text), onWrite()) },
    stderr: { write: (text: string) => ((out.stderr += text), onWrite()) },
    stdin: Readable.from(stdinText ? [stdinText] : []),
    env: {},
    ...extra,
  };
  /** Resolves once stderr matches (bounded). */
  const waitForStderr = (pattern: RegExp, ms = 8000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`stderr did not match ${pattern}: ${out.stderr}`)), ms);
      onWrite = () => {
        if (pattern.test(out.stderr)) {
          clearTimeout(timer);
          resolve();
        }
      };
      onWrite();
    });
  return { io, out, waitForStderr };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Bounded wait until something accepts TCP connections on the port. */
async function waitForPort(port: number, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}`);
}

let dir: string;
let broker: ChildProcess;
let brokerLog = '';
let plainUrl: string;
let tlsUrl: string;
let caPath: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-cli-mosquitto-'));
  const material = await ensureTlsMaterial(dir); // a private CA and a 127.0.0.1 certificate
  caPath = material.caPath;
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, '');
  const made = spawnSync('mosquitto_passwd', ['-b', passwd, USER, PASSWORD], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
  const [plain, secure] = [await freePort(), await freePort()];
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      'per_listener_settings true',
      ...(process.getuid?.() === 0 ? ['user root'] : []), // as root, mosquitto would switch to a user that cannot read our temp dir
      `listener ${plain} 127.0.0.1`,
      'allow_anonymous true',
      `listener ${secure} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `cafile ${caPath}`,
      `certfile ${join(dir, 'sandbox-server.pem')}`,
      `keyfile ${join(dir, 'sandbox-server.key')}`,
      '',
    ].join('\n'),
  );
  broker = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  broker.stderr!.on('data', (d: Buffer) => (brokerLog += d.toString()));
  broker.stdout!.on('data', (d: Buffer) => (brokerLog += d.toString()));
  await waitForPort(plain).catch((err: Error) => Promise.reject(new Error(`${err.message}\n${brokerLog}`)));
  await waitForPort(secure);
  plainUrl = `mqtt://127.0.0.1:${plain}`;
  tlsUrl = `mqtts://127.0.0.1:${secure}`;
});

afterAll(async () => {
  if (broker && broker.exitCode === null) {
    const exited = new Promise((resolve) => broker.once('exit', resolve));
    broker.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  }
  rmSync(dir, { recursive: true, force: true });
});

async function startSub(args: string[], extra: Partial<CommandIo> = {}) {
  const c = capture(extra);
  const exit = runSubCommand(args, c.io);
  await Promise.race([
    c.waitForStderr(/subscribed to/),
    exit.then((code) => Promise.reject(new Error(`sub exited ${code}: ${c.out.stderr}`))),
  ]);
  return { ...c, exit };
}

describe('mosquitto as a generic broker', () => {
  it('anonymous, cleartext: any topic depth, the payload as given (no envelope)', async () => {
    const sub = await startSub(['sensors/+/temp', '--broker', plainUrl, '--count', '1', '--json']);
    const pub = capture();
    expect(await runPubCommand(['sensors/room1/temp', '21.5', '--broker', plainUrl], pub.io), pub.out.stderr).toBe(0);
    expect(await sub.exit).toBe(0);
    const line = JSON.parse(sub.out.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ topic: 'sensors/room1/temp', qos: 0, payload: '21.5' });
    expect(line).not.toHaveProperty('data');
  });

  it('TLS with --ca and a password (flag and APIARY_PASSWORD), QoS 1', async () => {
    const sub = await startSub([
      'a/b/#',
      '--broker',
      tlsUrl,
      '--ca',
      caPath,
      '--username',
      USER,
      '--password',
      PASSWORD,
      '--qos',
      '1',
      '--count',
      '1',
      '--json',
    ]);
    const pub = capture({ env: { APIARY_PASSWORD: PASSWORD } });
    expect(
      await runPubCommand(
        ['a/b/c/d', '{"data":1}', '--broker', tlsUrl, '--ca', caPath, '--username', USER, '--qos', '1'],
        pub.io,
      ),
      pub.out.stderr,
    ).toBe(0);
    expect(pub.out.stdout).toMatch(/acknowledged/);
    expect(await sub.exit).toBe(0);
    // an envelope is recognised wherever it comes from
    expect(JSON.parse(sub.out.stdout.trim())).toMatchObject({ topic: 'a/b/c/d', qos: 1, payload: '{"data":1}', data: 1 });
  });

  it('a wrong password is rejected, once, without echoing it', async () => {
    const wrong = 'not-the-password';
    const c = capture();
    expect(
      await runSubCommand(
        ['a/#', '--broker', tlsUrl, '--ca', caPath, '--username', USER, '--password', wrong, '--count', '1'],
        c.io,
      ),
    ).toBe(1);
    expect(c.out.stderr).toMatch(/credential rejected by 127\.0\.0\.1:\d+ \(CONNACK [45], .*\): check the username and password/);
    expect(c.out.stderr).not.toContain(wrong);
  });

  it('--insecure connects without the CA and warns', async () => {
    const c = capture({ env: { APIARY_PASSWORD: PASSWORD } });
    expect(await runPubCommand(['x/y', 'hi', '--broker', tlsUrl, '--insecure', '--username', USER], c.io), c.out.stderr).toBe(0);
    expect(c.out.stderr).toMatch(/verification is off/);
  });

  it('Beebotte-only flags are refused on a generic broker', async () => {
    const c = capture();
    expect(await runPubCommand(['x/y', '1', '--write', '--broker', plainUrl], c.io)).toBe(2);
    expect(c.out.stderr).toMatch(/Beebotte flags/);
  });

  it('a generic profile (TLS, CA, username; password in the keychain stand-in) publishes', async () => {
    const secrets = new MemorySecretStore();
    const dataDir = join(dir, 'data');
    const add = capture({ secrets }, `${PASSWORD}\n`);
    const args = [
      'add',
      '--name',
      'local',
      '--kind',
      'mqtt',
      '--url',
      tlsUrl,
      '--username',
      USER,
      '--ca',
      caPath,
      '--secret-stdin',
      '--data',
      dataDir,
    ];
    expect(await runProfilesCommand(args, add.io), add.out.stderr).toBe(0);
    const sub = await startSub(['p/q', '--profile', 'local', '--data', dataDir, '--count', '1', '--json'], { secrets });
    const pub = capture({ secrets });
    expect(
      await runPubCommand(['p/q', 'via profile', '--profile', 'local', '--data', dataDir, '--qos', '1'], pub.io),
      pub.out.stderr,
    ).toBe(0);
    expect(await sub.exit).toBe(0);
    expect(JSON.parse(sub.out.stdout.trim())).toMatchObject({ topic: 'p/q', payload: 'via profile' });
  });
});
