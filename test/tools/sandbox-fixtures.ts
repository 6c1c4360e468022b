/** Shared helpers for the sandbox tests: a seeded sandbox in a temp dir, and bounded MQTT/CLI waits. */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type SandboxHandle, type SandboxOptions, type SeedFile, startSandbox } from '../../electron/sandbox/index.js';

export const ALICE = { owner: 'alice', apiKey: 'aliceApiKey0000000000001', secretKey: 'aliceSecretKey000000000000000001' };
export const BOB = { owner: 'bob', apiKey: 'bobApiKey000000000000001', secretKey: 'bobSecretKey00000000000000000001' };
export const ALICE_HOME_TOKEN = 'token_aliceHome00000001';
export const ALICE_GARAGE_TOKEN = 'token_aliceGarage000001';
export const BOB_HOME_TOKEN = 'token_bobHome0000000001';
export const LEGACY_TOKEN = '1234567890legacy';
export const ALICE_IAM_TOKEN = 'iamtkn_aliceHomeOnly0000000001';

const resources = [
  { name: 'temp', vtype: 'number', sendOnSubscribe: true },
  { name: 'note', vtype: 'string' },
];

export const SEED: SeedFile = {
  accounts: [
    {
      ...ALICE,
      channels: [
        { name: 'home', token: ALICE_HOME_TOKEN, resources },
        { name: 'garage', token: ALICE_GARAGE_TOKEN, resources: [{ name: 'door', vtype: 'string' }] },
        { name: 'legacy', token: LEGACY_TOKEN, resources: [{ name: 'value' }] },
        { name: 'open', token: 'token_aliceOpen00000001', ispublic: true, resources: [{ name: 'value' }] },
      ],
      iamTokens: [{ token: ALICE_IAM_TOKEN, channels: ['home'] }],
    },
    { ...BOB, channels: [{ name: 'home', token: BOB_HOME_TOKEN, resources }] },
  ],
};

export interface TestSandbox {
  sandbox: SandboxHandle;
  dataDir: string;
  cleanup(): Promise<void>;
}

export async function startTestSandbox(options: Partial<SandboxOptions> = {}, dataDir?: string): Promise<TestSandbox> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'apiary-sandbox-'));
  const sandbox = await startSandbox({ dataDir: dir, seed: SEED, ...options });
  return {
    sandbox,
    dataDir: dir,
    async cleanup() {
      await sandbox.close();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Connects and resolves once CONNACK 0 arrived; rejects with the CONNACK code or error otherwise. */
export function connectMqtt(url: string, username: string, options: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      username,
      password: '',
      reconnectPeriod: 0,
      connectTimeout: 5000,
      protocolVersion: 4,
      ...options,
    });
    const timer = setTimeout(() => fail(new Error('no CONNACK within 8 s')), 8000);
    const fail = (err: Error) => {
      clearTimeout(timer);
      client.end(true);
      reject(err);
    };
    client.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}

/** The CONNACK return code a CONNECT with these credentials gets (0 = accepted). */
export async function connackCode(url: string, username: string, password = ''): Promise<number> {
  try {
    const client = await connectMqtt(url, username, { password });
    await endClient(client);
    return 0;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw err;
  }
}

export function subscribe(client: MqttClient, filter: string, qos: 0 | 1 | 2 = 0): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filter, { qos }, (err, granted) => {
      // mqtt.js reports a SUBACK 0x80 as an error carrying the SUBACK packet
      const refused = err as { code?: unknown; packet?: { granted?: number[] } } | null;
      if (refused?.packet?.granted) resolve(refused.packet.granted);
      else if (refused?.code === 128) resolve([128]);
      else if (err) reject(err);
      else resolve((granted ?? []).map((g) => g.qos));
    });
  });
}

export interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
}

/** Collects every message a client receives, for later inspection. */
export function collect(client: MqttClient): Received[] {
  const list: Received[] = [];
  client.on('message', (topic, payload, packet) => list.push({ topic, payload, qos: packet.qos }));
  return list;
}

/** Waits until a message matching the predicate arrives (bounded). */
export function nextMessage(
  client: MqttClient,
  predicate: (m: Received) => boolean = () => true,
  timeoutMs = 5000,
): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no matching message within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (topic: string, payload: Buffer, packet: { qos: number }) => {
      const m = { topic, payload, qos: packet.qos };
      if (!predicate(m)) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(m);
    };
    client.on('message', onMessage);
  });
}

/** Resolves when the server closes the connection (bounded). */
export function closedByServer(client: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!client.connected && client.disconnected) return resolve();
    const timer = setTimeout(() => reject(new Error(`connection still open after ${timeoutMs} ms`)), timeoutMs);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function publish(client: MqttClient, topic: string, payload: string | Buffer, qos: 0 | 1 | 2 = 0): Promise<void> {
  return new Promise((resolve, reject) => client.publish(topic, payload, { qos }, (err) => (err ? reject(err) : resolve())));
}

export function endClient(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command with a hard timeout (the process is killed when it expires). */
export function run(cmd: string, args: string[], timeoutMs = 10_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function portOf(url: string): string {
  return new URL(url).port;
}

/** JSON body of a REST call against the sandbox. */
export async function rest(
  base: string,
  method: string,
  path: string,
  init: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.token) headers['X-Auth-Token'] = init.token;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(8000) });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON; keep the text
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary Beebotte JSON
  return { status: response.status, json: json as any };
}

// ---- the official beebotte SDK (CommonJS) ----

const requireCjs = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
export const bbt = requireCjs('beebotte') as { Stream: any; Connector: any };

export interface BbtMessage {
  channel: string;
  resource: string;
  data: unknown;
  ts?: number;
  ispublic?: boolean;
}

export interface SdkStream {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
  stream: any;
  messages: BbtMessage[];
  subscribe(channel: string, resource: string, args?: { read?: boolean; write?: boolean }): Promise<void>;
  next(predicate: (m: BbtMessage) => boolean, timeoutMs?: number): Promise<BbtMessage>;
  close(): void;
}

/** An SDK Stream (socketio or mqtt transport) once connected, with bounded waits. */
export function openSdkStream(transport: Record<string, unknown>, timeoutMs = 8000): Promise<SdkStream> {
  return new Promise((resolve, reject) => {
    const stream = new bbt.Stream({ transport });
    const messages: BbtMessage[] = [];
    const waiters = new Set<(m: BbtMessage) => void>();
    const onMessage = (m: BbtMessage) => {
      messages.push(m);
      for (const w of [...waiters]) w(m);
    };
    const timer = setTimeout(() => {
      stream.disconnect();
      reject(new Error('SDK stream did not connect'));
    }, timeoutMs);
    stream.on('connected', () => {
      clearTimeout(timer);
      resolve({
        stream,
        messages,
        subscribe: (channel, resource, args = {}) =>
          new Promise<void>((ok, ko) => {
            const t = setTimeout(() => done(new Error(`no answer to subscribe ${channel}.${resource}`)), timeoutMs);
            const onOk = (sub: { channel: string; resource: string }) => {
              if (sub.channel === channel && sub.resource === resource) done(null);
            };
            const onErr = (a: unknown, b: unknown) =>
              done(new Error(`subscribeError: ${String((a as Error)?.message ?? a)} ${JSON.stringify(b ?? '')}`));
            const done = (err: Error | null) => {
              clearTimeout(t);
              stream.off('subscribed', onOk);
              stream.off('subscribeError', onErr);
              if (err) ko(err);
              else ok();
            };
            stream.on('subscribed', onOk);
            stream.on('subscribeError', onErr);
            stream.subscribe(channel, resource, { read: true, ...args }, onMessage);
          }),
        next: (predicate, waitMs = 5000) =>
          new Promise<BbtMessage>((ok, ko) => {
            // the message may have arrived before the caller started waiting
            const already = messages.find(predicate);
            if (already) return ok(already);
            const t = setTimeout(() => {
              waiters.delete(w);
              ko(new Error(`no matching stream message within ${waitMs} ms`));
            }, waitMs);
            const w = (m: BbtMessage) => {
              if (!predicate(m)) return;
              clearTimeout(t);
              waiters.delete(w);
              ok(m);
            };
            waiters.add(w);
          }),
        close: () => stream.disconnect(),
      });
    });
  });
}

/** socketio transport options pointing the SDK at the sandbox (cleartext). */
export function socketioTransport(httpUrl: string, credentials: Record<string, string>): Record<string, unknown> {
  const url = new URL(httpUrl);
  return { type: 'socketio', ws_host: url.hostname, port: Number(url.port), ssl: false, ...credentials };
}

export function mqttTransport(mqttUrl: string, credentials: Record<string, string>): Record<string, unknown> {
  const url = new URL(mqttUrl);
  return { type: 'mqtt', mqtt_host: url.hostname, port: Number(url.port), ssl: false, ...credentials };
}

/** The SDK's REST Connector pointed at the sandbox. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped CommonJS SDK
export function sdkConnector(httpUrl: string, credentials: Record<string, string>): any {
  const url = new URL(httpUrl);
  return new bbt.Connector({ hostname: url.hostname, port: Number(url.port), protocol: 'http', ...credentials });
}

/** Calls a callback-style SDK method as a promise: resolves the result, rejects with the error body. */
export function sdkCall<T = unknown>(fn: (cb: (err: unknown, result: T) => void) => void, timeoutMs = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('SDK call timed out')), timeoutMs);
    fn((err, result) => {
      clearTimeout(t);
      if (err) reject(typeof err === 'string' ? parseOr(err) : err);
      else resolve(result);
    });
  });
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return new Error(text);
  }
}
