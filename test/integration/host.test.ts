import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { MessageBatch, MessageDTO } from '../../electron/api.js';
import { startHost, type HostHandle } from '../../electron/host.js';
import { rendererDir } from '../../electron/node-platform.js';
import { startTestCore, type TestCore } from '../tools/core-fixture.js';

let t: TestCore;
let host: HostHandle;
let cookie: string;

beforeAll(async () => {
  t = await startTestCore({ embeddedSandbox: false });
  host = await startHost({ core: t.core, rendererDir });
  const res = await fetch(host.url, { redirect: 'manual' });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
});
afterAll(async () => {
  await host?.close();
  await t?.close();
});

function openWs(headers: Record<string, string>): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: -1 }));
  });
}

describe('headless host access control', () => {
  it('listens on loopback only and prints a URL with a token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('answers 401 without the token, and with a wrong one', async () => {
    expect((await fetch(`${host.origin}/`)).status).toBe(401);
    expect((await fetch(`${host.origin}/index.html`)).status).toBe(401);
    expect((await fetch(`${host.origin}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
  });

  it('trades the token for an HttpOnly SameSite cookie and serves the UI with a strict CSP', async () => {
    const res = await fetch(host.url, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(res.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const page = await fetch(`${host.origin}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve) => {
      const req = request(`${host.origin}/`, { headers: { cookie, host: 'evil.example:80' } }, (res) => resolve(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(403);
  });

  it('refuses a WebSocket without the cookie, or from another Origin', async () => {
    const origin = host.origin;
    expect(await openWs({ origin })).toEqual({ status: 401 });
    expect(await openWs({ origin: 'http://evil.example', cookie })).toEqual({ status: 403 });
    expect(await openWs({ cookie })).toEqual({ status: 403 });
  });

  it('serves the contract over the WebSocket and validates calls', async () => {
    const opened = await openWs({ origin: host.origin, cookie });
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    const { ws } = opened;
    const replies = new Map<number, unknown>();
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { id?: number };
      if (frame.id) replies.set(frame.id, frame);
    });
    ws.send(JSON.stringify({ id: 1, method: 'app.info', params: {} }));
    // QoS 2 is for generic brokers: a Beebotte profile (MQTT 3.1.1, QoS 0/1) refuses it
    const beebotte = (await t.core.call('profiles.save', { name: 'bb qos', kind: 'beebotte', secretMode: 'ask' })) as { id: string };
    ws.send(JSON.stringify({ id: 2, method: 'messages.publish', params: { profileId: beebotte.id, topic: 'a/b', data: '1', qos: 2 } }));
    ws.send(JSON.stringify({ id: 3, method: 'rm -rf', params: {} }));
    ws.send('not json');
    const deadline = Date.now() + 5000;
    while (replies.size < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(replies.get(1)).toMatchObject({ result: { name: 'Apiary', shell: 'host' } });
    expect(replies.get(2)).toMatchObject({ error: { code: 'invalid_params', message: expect.stringMatching(/QoS 0 and 1 only/) } });
    expect(replies.get(3)).toMatchObject({ error: { code: 'unknown_method' } });
    ws.close();
  });

  it('refuses to bind a non-loopback interface unless asked explicitly', async () => {
    await expect(startHost({ core: t.core, rendererDir, host: '0.0.0.0' })).rejects.toThrow(/--allow-remote/);
  });
});

describe('a host started before its core (apiary serve prints the URL while the core starts)', () => {
  it('serves the page at once, refuses a WebSocket without the cookie meanwhile, and answers calls once the core is up', async () => {
    let coreUp!: (core: TestCore['core']) => void;
    const early = await startHost({ core: new Promise((resolve) => (coreUp = resolve)), rendererDir });
    try {
      const res = await fetch(early.url, { redirect: 'manual' });
      const earlyCookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      const page = await fetch(`${early.origin}/`, { headers: { cookie: earlyCookie } });
      expect(page.status).toBe(200);
      const open = (headers: Record<string, string>) =>
        new Promise<{ ws: WebSocket } | { status: number }>((resolve) => {
          const ws = new WebSocket(`${early.origin.replace('http', 'ws')}/api`, { headers });
          ws.once('open', () => resolve({ ws }));
          ws.once('unexpected-response', (_req, r) => resolve({ status: r.statusCode ?? 0 }));
          ws.once('error', () => resolve({ status: -1 }));
        });
      expect(await open({ origin: early.origin })).toEqual({ status: 401 });
      const pending = open({ origin: early.origin, cookie: earlyCookie });
      await new Promise((r) => setTimeout(r, 100));
      coreUp(t.core);
      const opened = await pending;
      if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
      const reply = new Promise<unknown>((resolve) => opened.ws.once('message', (raw) => resolve(JSON.parse(raw.toString()))));
      opened.ws.send(JSON.stringify({ id: 1, method: 'app.info', params: {} }));
      expect(await reply).toMatchObject({ id: 1, result: { name: 'Apiary', shell: 'host' } });
      opened.ws.close();
    } finally {
      await early.close();
    }
  });
});

describe('a tab that cannot keep up', () => {
  it('has message batches held back while its socket is congested, and the next batch says how many it missed', async () => {
    const opened = await openWs({ origin: host.origin, cookie });
    if (!('ws' in opened)) throw new Error(`refused: ${opened.status}`);
    const { ws } = opened;
    let received = 0;
    const dropped: number[] = [];
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString()) as { event?: string; data?: MessageBatch };
      if (frame.event !== 'messages.batch') return;
      received += frame.data!.messages.length;
      if (frame.data!.dropped) dropped.push(frame.data!.dropped);
    });
    // the tab stops reading: the host's socket backs up for real (kernel buffers, then ws's own)
    (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const preview = 'x'.repeat(100_000);
    const batchOf = (n: number): MessageBatch => ({
      messages: Array.from({ length: n }, (_, i) => ({ id: i + 1, topic: 'flood/x', preview }) as MessageDTO),
      skipped: 0,
      rate: 0,
    });
    const BATCHES = 120; // 10 messages of 100 kB each: 120 MB offered, far above the 8 MB the host lets queue
    for (let b = 0; b < BATCHES; b++) {
      t.core.bus.emit('messages.batch', batchOf(10));
      await new Promise((r) => setImmediate(r));
    }
    (ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    // once the tab has drained its backlog, the next batch reports the gap
    const deadline = Date.now() + 20_000;
    while (received < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 500));
    t.core.bus.emit('messages.batch', batchOf(1));
    while (dropped.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ws.close();

    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toBeGreaterThan(0);
    // every message offered either reached the tab or was counted in the gap: none vanished silently
    expect(received + dropped[0]!).toBe(BATCHES * 10 + 1);
  });
});
