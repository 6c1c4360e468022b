/** Starts `apiary serve --json` as a user would (a separate process, temp data dir) and yields its URL. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';

export interface ServedApp {
  url: string;
  dataDir: string;
  process: ChildProcess;
  stderr: () => string;
}

export async function serve(extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServedApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-e2e-'));
  const child = spawn(process.execPath, ['dist/app/cli.js', 'serve', '--json', '--data', dataDir, ...extraArgs], {
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

/** One call of the page's own API (same cookie, same WebSocket contract as the UI). */
export function callFromPage<T>(page: Page, method: string, params: object = {}): Promise<T> {
  return page.evaluate(
    ([m, p]) =>
      new Promise<T>((resolve, reject) => {
        const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api`);
        const timer = setTimeout(() => (ws.close(), reject(new Error(`${m}: no answer in 10 s`))), 10_000);
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: m, params: p }));
        ws.onmessage = (e) => {
          const frame = JSON.parse(String(e.data)) as { id?: number; result?: T; error?: { message: string } };
          if (frame.id !== 1) return;
          clearTimeout(timer);
          ws.close();
          if (frame.error) reject(new Error(frame.error.message));
          else resolve(frame.result as T);
        };
        ws.onerror = () => reject(new Error('WebSocket to Apiary failed'));
      }),
    [method, params] as const,
  );
}

export const test = base.extend<{ app: ServedApp }>({
  app: async ({}, use) => {
    const app = await serve();
    await use(app);
    await stop(app);
  },
});
export { expect } from '@playwright/test';
