/**
 * The headless host for the bench: `apiary serve --json` as a user starts it (its own process, temp data
 * dir), and a Node client of its Api over the same WebSocket the page uses (Bearer token + Origin).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import WebSocket from 'ws';
import { repoRoot, track } from './proc.mjs';

export function startHostProcess({ maxMs = 600_000, nodeArgs = [] } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-host-'));
  const proc = spawn(process.execPath, [...nodeArgs, 'dist/app/cli.js', 'serve', '--json', '--data', dataDir], {
    cwd: repoRoot,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const child = track(proc, 'apiary serve', maxMs);
  return {
    child,
    dataDir,
    pid: proc.pid,
    async ready(ms = 30_000) {
      const { url } = await child.waitFor((m) => typeof m.url === 'string', ms, 'its URL');
      return url;
    },
    async stop() {
      await child.stop('SIGTERM', 10);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls the host's Api from Node; `on(event)` counts events for the figures. */
export async function connectApi(url) {
  const u = new URL(url);
  const token = u.searchParams.get('token');
  const ws = new WebSocket(`ws://${u.host}/api`, { headers: { Authorization: `Bearer ${token}`, Origin: `http://${u.host}` } });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
    setTimeout(() => reject(new Error('the host WebSocket did not open in 10 s')), 10_000).unref();
  });
  let nextId = 1;
  const pending = new Map();
  const listeners = new Set();
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString());
    if ('event' in frame) {
      for (const l of listeners) l(frame.event, frame.data);
      return;
    }
    const p = pending.get(frame.id);
    if (!p) return;
    pending.delete(frame.id);
    if (frame.error) p.reject(new Error(`${frame.error.code}: ${frame.error.message}`));
    else p.resolve(frame.result);
  });
  return {
    call(method, params = {}, ms = 30_000) {
      const id = nextId++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => (pending.delete(id), reject(new Error(`${method}: no answer in ${ms} ms`))), ms);
        pending.set(id, {
          resolve: (v) => (clearTimeout(timer), resolve(v)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
      });
    },
    on(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      ws.terminate();
    },
  };
}
