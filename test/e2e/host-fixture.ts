/** Starts `apiary serve --json` as a user would (a separate process, temp data dir) and yields its URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base } from '@playwright/test';

export interface ServedApp {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stderr: () => string;
}

export async function serve(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServedApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-e2e-'));
  const child = spawn(process.execPath, ['dist/electron/cli.js', 'serve', '--json', '--data', dataDir, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve did not print its URL in 30 s; stderr:\n${stderr}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
  return { url, dataDir, process: child, stderr: () => stderr };
}

export async function stop(app: ServedApp): Promise<void> {
  if (app.process.exitCode !== null) return;
  const exited = new Promise((r) => app.process.once('exit', r));
  app.process.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (app.process.exitCode === null) app.process.kill('SIGKILL');
}

export const test = base.extend<{ app: ServedApp }>({
  app: async ({}, use) => {
    const app = await serve();
    await use(app);
    await stop(app);
  },
});
export { expect } from '@playwright/test';
