/**
 * Hostile MQTT payloads from a real broker (Mosquitto, whose default size limit lets 16 MB through),
 * watched the way the UI sees them: message batches over the headless host's WebSocket, then the full
 * message on demand. Each is classified right, previewed within bounds, stored whole or marked over the
 * store's cap — and script payloads travel as inert text, byte for byte.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import WebSocket from 'ws';
import type { FullMessageDTO, MessageDTO, ProfileDTO } from '../../electron/api.js';
import { startHost, type HostHandle } from '../../electron/host.js';
import { rendererDir } from '../../electron/node-platform.js';
import { PREVIEW_BYTES } from '../../electron/core/codecs/decode.js';
import { DEFAULT_LOG_BUDGET } from '../../electron/core/store/index.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let broker: Mosquitto;
let t: TestCore;
let host: HostHandle;
let ws: WebSocket;
let publisher: MqttClient;
let profile: ProfileDTO;
const viaWs: MessageDTO[] = [];
const replies = new Map<number, { result?: unknown; error?: { message: string } }>();
let nextId = 1;

beforeAll(async () => {
  broker = await startMosquitto();
  t = await startTestCore({ embeddedSandbox: false });
  host = await startHost({ core: t.core, rendererDir });
  const res = await fetch(host.url, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  ws = new WebSocket(`${host.origin.replace('http', 'ws')}/api`, { headers: { origin: host.origin, cookie } });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  ws.on('message', (raw) => {
    const frame = JSON.parse(raw.toString()) as { id?: number; event?: string; data?: { messages: MessageDTO[] } };
    if (frame.event === 'messages.batch') viaWs.push(...frame.data!.messages);
    else if (frame.id) replies.set(frame.id, frame as { result?: unknown; error?: { message: string } });
  });
  profile = (await t.core.call('profiles.save', { name: 'hostile', kind: 'mqtt', url: broker.url, subscriptions: ['#'] })) as ProfileDTO;
  // active alert rules read every payload too: they must survive the same input
  for (const condition of [{ kind: 'changed', path: 'data' }, { kind: 'contains', text: 'pwned' }, { kind: 'compare', path: 'data', op: '>', value: 5 }]) {
    await t.core.call('alerts.saveRule', { rule: { name: `hostile ${condition.kind}`, topicFilter: '#', condition, cooldownSeconds: 0 } });
  }
  await t.core.call('sessions.connect', { profileId: profile.id });
  await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'connected');
  publisher = await mqtt.connectAsync(broker.url, { clientId: 'hostile-publisher' });
});
afterAll(async () => {
  await publisher?.endAsync(true);
  ws?.close();
  await host?.close();
  await t?.close();
  await broker?.stop();
});

/** What a browser tab would do: a call over the WebSocket. */
async function wsCall<T>(method: string, params: unknown): Promise<T> {
  const id = nextId++;
  ws.send(JSON.stringify({ id, method, params }));
  const reply = await waitFor(() => replies.get(id), `reply to ${method}`, 20_000);
  if (reply.error) throw new Error(reply.error.message);
  return reply.result as T;
}

async function deliver(topic: string, payload: Buffer | string): Promise<{ dto: MessageDTO; full: FullMessageDTO }> {
  await publisher.publishAsync(topic, payload, { qos: 1 });
  const dto = await waitFor(() => viaWs.find((m) => m.topic === topic), `${topic} in a batch over the WebSocket`, 20_000);
  expect(dto.id).toBeGreaterThan(0); // stored
  expect(dto.preview.length).toBeLessThanOrEqual(Math.ceil((PREVIEW_BYTES * 4) / 3) + 4); // base64 of PREVIEW_BYTES at most
  const full = await wsCall<FullMessageDTO>('messages.get', { id: dto.id });
  return { dto, full };
}

describe('hostile payloads', () => {
  it('invalid JSON is text, shown as it is', async () => {
    const text = '{"data": 1, "oops": ';
    const { dto, full } = await deliver('hostile/invalid-json', text);
    expect(dto.kind).toBe('text');
    expect(dto.preview).toBe(text);
    expect(full.payload).toBe(text);
  });

  it('100 000 levels of nesting neither crash nor lose the message', async () => {
    const deep = `{"data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const { dto, full } = await deliver('hostile/deep', deep);
    expect(dto.kind).toBe('json');
    expect(dto.clipped).toBe(true);
    expect(dto.preview).toBe(deep.slice(0, PREVIEW_BYTES));
    expect(JSON.stringify(dto.envelope ?? null).length).toBeLessThan(1024); // never the whole tree in a batch
    expect(full.payload).toBe(deep);
  });

  it('a 5 MB string is previewed clipped and kept whole', async () => {
    const huge = `"${'y'.repeat(5 * 1024 * 1024)}"`;
    const { dto, full } = await deliver('hostile/huge-string', huge);
    expect(dto.size).toBe(huge.length);
    expect(dto.clipped).toBe(true);
    expect(full.payload.length).toBe(huge.length);
  });

  it('binary and invalid UTF-8 are binary, previewed in base64, kept byte for byte', async () => {
    const binary = Buffer.concat([Buffer.from([0, 1, 2, 255]), randomBytes(4000)]);
    const b = await deliver('hostile/binary', binary);
    expect(b.dto.kind).toBe('binary');
    expect(Buffer.from(b.full.payload, 'base64').equals(binary)).toBe(true);

    const invalid = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
    const u = await deliver('hostile/invalid-utf8', invalid);
    expect(u.dto.kind).toBe('binary');
    expect(Buffer.from(u.full.payload, 'base64').equals(invalid)).toBe(true);
  });

  it('a 16 MB message arrives; over the store cap it is kept cut and marked, never silently', async () => {
    const cap = DEFAULT_LOG_BUDGET.payloadCapBytes;
    const big = Buffer.alloc(cap + 1000, 'z');
    const { dto, full } = await deliver('hostile/16mb', big);
    expect(dto.size).toBe(big.length);
    expect(dto.clipped).toBe(true);
    expect(full.overCap).toBe(true);
    expect(full.payload.length).toBe(cap);
  }, 60_000);

  it('script payloads and script topics travel as inert text, byte for byte', async () => {
    const cases = [
      ['hostile/script', '<script>window.__pwned = 1</script>'],
      ['hostile/img', '<img src=x onerror="window.__pwned = 1">'],
      ['hostile/envelope', '{"data": "<img src=x onerror=window.__pwned=1>"}'],
      ['<script>window.__pwned=1</script>/x', 'a topic with a script in it'],
    ] as const;
    for (const [topic, payload] of cases) {
      const { dto, full } = await deliver(topic, payload);
      expect(dto.topic).toBe(topic);
      expect(dto.preview).toBe(payload);
      expect(full.payload).toBe(payload);
    }
    const envelope = viaWs.find((m) => m.topic === 'hostile/envelope')!;
    expect(envelope.envelope?.data).toBe('<img src=x onerror=window.__pwned=1>');
  });

  it('the core still answers, and the explorer lists every topic', async () => {
    const topics = await wsCall<{ topic: string }[]>('explorer.topics', { profileId: profile.id });
    expect(topics.map((x) => x.topic)).toEqual(expect.arrayContaining(['hostile/deep', 'hostile/16mb', 'hostile/binary']));
    expect(await wsCall('app.info', {})).toMatchObject({ name: 'Apiary' });
    expect(t.logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });
});
