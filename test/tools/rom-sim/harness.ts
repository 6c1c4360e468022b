/**
 * The ROM-loader simulator (rom-sim.mjs) on the B side of a socat pty pair, for `apiary flash` tests.
 * stop() waits for the exit; every wait is bounded. Pty pairs come from the device-sim harness.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROM_SIM_PATH = fileURLToPath(new URL('./rom-sim.mjs', import.meta.url));

export interface RomSim {
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
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

export async function startRomSim(path: string, flags: string[] = []): Promise<RomSim> {
  const child = spawn(process.execPath, [ROM_SIM_PATH, '--port', path, ...flags], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const end = Date.now() + 5000;
  while (!out.includes('rom-sim: ready') && child.exitCode === null) {
    if (Date.now() > end) {
      await stopChild(child);
      throw new Error(`rom-sim did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  if (child.exitCode !== null) throw new Error(`rom-sim exited: ${out}`);
  return { process: child, output: () => out, stop: () => stopChild(child) };
}
