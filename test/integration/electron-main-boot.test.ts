import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database.js';

/**
 * The Electron shell, booted: the built (bundled) dist/app/main.js runs in Node against a recording stand-in of the
 * `electron` module (test/shell/), on a real data dir, the real core and embedded sandbox, and the real keychain
 * (this project runs under with-keyring.sh). The Electron binary cannot run here; this is its only seam.
 */
const root = path.resolve(import.meta.dirname, '../..');
const mainJs = path.join(root, 'dist/app/main.js');

interface Snapshot {
  windows: {
    options: { show?: boolean; webPreferences: Record<string, unknown> };
    loadedFile: string | null;
    visible: boolean;
    destroyed: boolean;
    sent: { channel: string; args: unknown[] }[];
    guarded: boolean;
  }[];
  tray: { created: number; image?: string; tooltip: string; menu: { label: string }[] };
  notifications: { title: string; body: string; shown: boolean }[];
  ipcChannels: string[];
  session: { csp: string | null; permission: boolean | null };
}
type CallReply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

let child: ChildProcess;
let dataDir: string;
let stderr = '';
let nextId = 1;
let exited: Promise<number | null>;

function send<T>(message: Record<string, unknown>): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stand-in did not answer ${String(message.cmd)}; stderr: ${stderr}`)), 10_000);
    const onMessage = (m: { id?: number; reply?: T & { standInError?: string } }) => {
      if (m.id !== id) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (m.reply && typeof m.reply === 'object' && 'standInError' in m.reply) reject(new Error(m.reply.standInError));
      else resolve(m.reply as T);
    };
    child.on('message', onMessage);
    child.send({ ...message, id });
  });
}

const snapshot = () => send<Snapshot>({ cmd: 'snapshot' });
const call = (method: string, params: unknown = {}, senderUrl?: string) =>
  send<CallReply>({ cmd: 'invoke', channel: 'apiary:call', method, params, ...(senderUrl ? { senderUrl } : {}) });

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stderr: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-shell-'));
  child = fork(mainJs, [], {
    execArgv: ['--import', path.join(root, 'test/shell/register.mjs')],
    env: { ...process.env, APIARY_STANDIN_USERDATA: dataDir },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await until('the window and the tray', async () => {
    const s = await snapshot();
    return s.windows.length === 1 && s.tray.created === 1 && s;
  });
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('main.ts, booted against a stand-in of electron', () => {
  it('opens one secure window on the renderer, with a CSP and no permissions', async () => {
    const s = await snapshot();
    const prefs = s.windows[0]!.options.webPreferences;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/dist[/\\]preload[/\\]preload\.js$/);
    expect(s.windows[0]!.loadedFile).toBe(path.join(root, 'renderer/dist/index.html'));
    expect(s.windows[0]!.visible).toBe(true);
    expect(s.windows[0]!.guarded).toBe(true); // navigation and new windows blocked
    expect(s.session.csp).toMatch(/default-src 'self'/);
    expect(s.session.permission).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'apiary.db'))).toBe(true);
  });

  it('shows the session state in the tray icon and menu once the sandbox session connects', async () => {
    const s = await until('the connected tray icon', async () => {
      const snap = await snapshot();
      return /tray-connected-light\.png$/.test(snap.tray.image ?? '') && snap;
    });
    expect(s.tray.image).toContain(path.join(root, 'resources', 'tray'));
    expect(s.tray.menu.map((i) => i.label)).toEqual(expect.arrayContaining(['Open Apiary', 'Quit Apiary']));
  });

  it('answers a renderer call through ipcMain and refuses an untrusted sender', async () => {
    const info = await call('app.info');
    expect(info.ok).toBe(true);
    const refused = await call('app.info', {}, 'https://evil.example/index.html');
    expect(refused).toEqual({ ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } });
    const bad = await call('no.such.method');
    expect(bad.ok).toBe(false);
  });

  it('raises a notification for an alert; its click opens the window on the message', async () => {
    const saved = await call('alerts.saveRule', { rule: { name: 'demo reading', topicFilter: 'demo/#', condition: { kind: 'any' }, cooldownSeconds: 0 } });
    expect(saved.ok).toBe(true);
    const s = await until('a notification', async () => {
      const snap = await snapshot();
      return snap.notifications.length > 0 && snap;
    });
    expect(s.notifications[0]).toMatchObject({ shown: true });
    expect(s.notifications[0]!.title).toMatch(/demo reading|demo\//);
    const closed = await send<Snapshot>({ cmd: 'close-window', index: 0 });
    expect(closed.windows[0]).toMatchObject({ visible: false, destroyed: false }); // closing keeps the app in the tray
    const after = await send<Snapshot>({ cmd: 'click-notification', index: 0 });
    expect(after.windows).toHaveLength(1);
    expect(after.windows[0]!.visible).toBe(true);
    const open = after.windows[0]!.sent.at(-1)!;
    expect(open.args[0]).toBe('ui.open');
    expect(open.args[1]).toMatchObject({ topic: expect.stringMatching(/^demo\//), messageId: expect.any(Number) });
  });

  it('quits cleanly: the core closes and the store keeps what was received', async () => {
    const stats = await call('messages.stats');
    const stored = (stats as { ok: true; result: { count: number } }).result.count;
    expect(stored).toBeGreaterThan(0);
    await send({ cmd: 'quit' });
    expect(await exited).toBe(0);
    expect(stderr).not.toMatch(/failed to start|Error/);
    const db = openDatabase(path.join(dataDir, 'apiary.db'));
    const n = (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
    db.close();
    expect(n).toBeGreaterThanOrEqual(stored);
  });
});
