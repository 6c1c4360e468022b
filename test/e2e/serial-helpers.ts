/** Helpers for e2e specs with a simulated board on a socat pty pair: wait for the device, stop children. */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** Resolves once `text` appears on the child's stdout; rejects on exit or after `ms`. */
export function waitForOutput(child: ChildProcess, text: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${ms} ms; stderr: ${err}`)), ms);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}"; stderr: ${err}`));
    });
  });
}

export async function waitForFiles(files: string[], ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!files.every((f) => fs.existsSync(f))) {
    if (Date.now() > until) throw new Error(`socat did not create ${files.join(', ')} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
