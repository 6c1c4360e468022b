/**
 * Test harness for pairing integration tests: a socat pty pair, the device simulator on its B side,
 * and a throwaway Mosquitto broker. Everything started here has a stop() that waits for the exit;
 * every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIM_PATH = fileURLToPath(new URL('./device-sim.mjs', import.meta.url));

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stopChild(child: ChildProcess, timeoutMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export interface PtyPair {
  /** the pair's temp dir (a test may keep its files there: stop() removes it) */
  dir: string;
  /** the app's side */
  a: string;
  /** the device's side */
  b: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-pty-'));
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.resume();
  try {
    await until('socat ptys', () => existsSync(a) && existsSync(b));
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return {
    dir,
    a,
    b,
    process: child,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Sim {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export async function startSim(path: string, flags: string[] = []): Promise<Sim> {
  const child = spawn(process.execPath, [SIM_PATH, '--port', path, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await until('the device simulator', () => out.includes('device-sim: ready') || child.exitCode !== null);
    if (child.exitCode !== null) throw new Error(`device simulator exited: ${out}`);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { process: child, output: () => out, stop: () => stopChild(child) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface Mosquitto {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Debian's mosquitto on a free loopback port, anonymous access allowed. */
export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-mosq-'));
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const listening = async () => {
    const { connect } = await import('node:net');
    return new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
  };
  let up = false;
  for (let i = 0; i < 100 && !up && child.exitCode === null; i++) {
    up = await listening();
    if (!up) await new Promise((r) => setTimeout(r, 50));
  }
  if (!up) {
    await stopChild(child);
    throw new Error(`mosquitto did not start: ${out}`);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
