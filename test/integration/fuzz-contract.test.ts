/**
 * Thousands of random and malformed calls through both transports of the contract:
 * - IPC: main.ts's handler is exactly `core.call(method, params)` on what structured clone delivers,
 *   so we call core.call with structured-cloned hostile values;
 * - the headless host's WebSocket, as a page would (cookie + Origin), plus broken frames.
 * Every call is answered with a result or an error object of a known code — never a crash, never an
 * internal TypeError — and the core still answers afterwards. A frame over maxPayload closes that
 * socket only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiError, type ApiErrorShape } from '../../electron/api.js';
import { startHost, type HostHandle } from '../../electron/host.js';
import { rendererDir } from '../../electron/node-platform.js';
import { startTestCore, type TestCore } from '../tools/core-fixture.js';
import { freePort } from '../tools/mosquitto.js';
import { hostileCall, seeded, validSamples } from '../tools/fault-fuzz.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240609);
const CODES = new Set<ApiErrorShape['code']>(['invalid_params', 'unknown_method', 'not_found', 'failed', 'unauthorized']);
/** what an error text looks like when a handler tripped over input it should have refused */
const INTERNAL = /Cannot read propert|is not a function|is not iterable|Maximum call stack|undefined is not|of undefined|of null/;

let t: TestCore;
let host: HostHandle;
let cookie: string;
let samples: ReturnType<typeof validSamples>;

beforeAll(async () => {
  t = await startTestCore({ embeddedSandbox: false });
  host = await startHost({ core: t.core, rendererDir });
  const res = await fetch(host.url, { redirect: 'manual' });
  cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  samples = validSamples(`mqtt://127.0.0.1:${await freePort()}`);
});
afterAll(async () => {
  await host?.close();
  await t?.close();
});

function checkError(error: ApiErrorShape, what: string, bad: string[]): void {
  if (!CODES.has(error.code) || typeof error.message !== 'string' || INTERNAL.test(error.message)) {
    bad.push(`${what} → ${JSON.stringify(error).slice(0, 300)}`);
  }
}

function describeCall(method: unknown, params: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(params, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  } catch {
    text = '(cyclic)';
  }
  return `${String(method)} ${String(text).slice(0, 200)}`;
}

function openWs(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api`, { headers: { origin: host.origin, cookie } });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends frames and collects the reply to each id (bounded). */
function rpc(ws: WebSocket) {
  const replies = new Map<number, { result?: unknown; error?: ApiErrorShape }>();
  /** replies to frames without a usable id (the host answers them with id 0), or with id ≤ 0 */
  const orphans: { result?: unknown; error?: ApiErrorShape }[] = [];
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: ApiErrorShape; event?: string };
    if (frame.event) return;
    if (typeof frame.id === 'number' && frame.id > 0) replies.set(frame.id, frame);
    else orphans.push(frame);
  });
  return {
    replies,
    orphans,
    async waitFor(ids: number[], timeoutMs = 20_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (ids.some((id) => !replies.has(id))) {
        if (Date.now() > deadline) throw new Error(`no reply to ${ids.filter((id) => !replies.has(id)).length} of ${ids.length} calls`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('contract fuzz', () => {
  it(`IPC path: 3000 hostile calls (seed ${SEED}) each get a known error or a result`, async () => {
    const rng = seeded(SEED);
    const bad: string[] = [];
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const { method, params } = hostileCall(rng, samples, true);
      let cloned: unknown;
      try {
        cloned = structuredClone(params); // what Electron's IPC would deliver
      } catch {
        continue; // not sendable over IPC (a function, say): the renderer cannot produce it
      }
      try {
        await t.core.call(method, cloned);
      } catch (err) {
        errors++;
        if (!(err instanceof ApiError)) bad.push(`${describeCall(method, cloned)} threw ${String(err).slice(0, 200)}`);
        else checkError(err.toJSON(), describeCall(method, cloned), bad);
      }
    }
    expect(bad).toEqual([]);
    expect(errors).toBeGreaterThan(1500); // most of them are hostile
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expect(t.core.call('app.info', {})).resolves.toMatchObject({ name: 'Apiary' });
  }, 120_000);

  it(`WebSocket path: 1500 hostile calls and broken frames each get an answer`, async () => {
    const ws = await openWs();
    const { replies, orphans, waitFor } = rpc(ws);
    const rng = seeded(SEED + 1);
    const bad: string[] = [];
    const sent = new Map<number, string>();
    for (let round = 0; round < 30; round++) {
      const ids: number[] = [];
      for (let j = 0; j < 50; j++) {
        const id = round * 50 + j + 1;
        const { method, params } = hostileCall(rng, samples, false);
        let frame: string;
        try {
          frame = JSON.stringify({ id, method, params });
        } catch {
          continue;
        }
        sent.set(id, describeCall(method, params));
        ids.push(id);
        ws.send(frame);
      }
      await waitFor(ids);
    }
    for (const [id, what] of sent) {
      const reply = replies.get(id)!;
      if (reply.error) checkError(reply.error, what, bad);
      else if (!('result' in reply)) bad.push(`${what} → neither result nor error`);
    }
    expect(bad).toEqual([]);

    // frames that are not calls at all: each still gets exactly one answer
    const broken = [
      'not json',
      '',
      '{',
      'null',
      '[]',
      '1',
      '"app.info"',
      '{"id":"7","method":"app.info"}',
      '{"id":1e400,"method":"app.info"}',
      '{"id":-5,"method":42}',
      '{"id":0.5,"method":"app.info","params":{"__proto__":{"polluted":1}}}',
    ];
    for (const frame of broken) ws.send(frame);
    const deadline = Date.now() + 10_000;
    while (orphans.length < broken.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(orphans).toHaveLength(broken.length);
    for (const reply of orphans) {
      if (reply.error) checkError(reply.error, 'broken frame', bad);
      else if (!('result' in reply)) bad.push(`broken frame → ${JSON.stringify(reply)}`);
    }
    expect(bad).toEqual([]);
    expect(orphans.filter((r) => r.error).length).toBeGreaterThanOrEqual(7);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    ws.send(JSON.stringify({ id: 99_999, method: 'app.info', params: {} }));
    await waitFor([99_999]);
    expect(replies.get(99_999)!.result).toMatchObject({ name: 'Apiary' });
    ws.close();
  }, 120_000);

  it('a frame over maxPayload closes that socket only; the core and other tabs go on', async () => {
    const victim = await openWs();
    const bystander = await openWs();
    const closed = new Promise<number>((resolve) => victim.once('close', (code) => resolve(code)));
    victim.on('error', () => undefined); // the server's close may surface as an error here
    victim.send(Buffer.alloc(21 * 1024 * 1024, 0x20)); // host's maxPayload is 20 MiB
    expect(await closed).toBe(1009); // "message too big"
    const { replies, waitFor } = rpc(bystander);
    bystander.send(JSON.stringify({ id: 1, method: 'app.info', params: {} }));
    await waitFor([1]);
    expect(replies.get(1)!.result).toMatchObject({ name: 'Apiary' });
    bystander.close();
    await expect(t.core.call('app.info', {})).resolves.toMatchObject({ name: 'Apiary' });
  });

  it('a 100 000-level nested params object is refused, not a stack overflow', async () => {
    let deep: unknown = {};
    for (let i = 0; i < 100_000; i++) deep = { rule: deep };
    const error = await t.core.call('alerts.testRule', { rule: deep }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(ApiError);
    const bad: string[] = [];
    checkError((error as ApiError).toJSON(), 'deep rule', bad);
    expect(bad).toEqual([]);
    await expect(t.core.call('app.info', {})).resolves.toMatchObject({ name: 'Apiary' });
  });
});
