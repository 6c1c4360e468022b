/**
 * What an MQTT socket can make the sandbox hold (issue 16, defect 3): a packet announced over the limit
 * closes the connection as soon as its length is read — 64 KiB before login, the message limit plus 4 KiB
 * after — and a CONNECT that does not complete in time is closed. Raw sockets on loopback, every loop bounded.
 */
import { type Socket, connect as netConnect } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type TestSandbox,
  closedByServer,
  connectMqtt,
  endClient,
  nextMessage,
  publish,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

const MiB = 1024 * 1024;
let patient: TestSandbox; // a long CONNECT timeout: only the size limit can close a socket
let hasty: TestSandbox; // a 1 s CONNECT timeout
const clients: MqttClient[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  patient = await startTestSandbox({ mqttConnectTimeoutMs: 60_000 });
  hasty = await startTestSandbox({ mqttConnectTimeoutMs: 1000 });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  for (const c of clients) await endClient(c);
  await patient?.cleanup();
  await hasty?.cleanup();
});

interface RawSocket {
  socket: Socket;
  isClosed(): boolean;
  /** resolves true once the server closed it, false when the wait ran out */
  closed(timeoutMs: number): Promise<boolean>;
}

function rawSocket(url: string): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const socket = netConnect({ host: hostname, port: Number(port) });
    sockets.push(socket);
    let closed = false;
    const waiters = new Set<() => void>();
    socket.on('error', () => undefined); // a reset from the server is the expected outcome
    socket.on('close', () => {
      closed = true;
      for (const w of waiters) w();
    });
    socket.once('connect', () =>
      resolve({
        socket,
        isClosed: () => closed,
        closed: (timeoutMs) =>
          new Promise((done) => {
            if (closed) return done(true);
            const timer = setTimeout(() => done(closed), timeoutMs);
            waiters.add(() => {
              clearTimeout(timer);
              done(true);
            });
          }),
      }),
    );
    socket.once('error', reject);
  });
}

/** MQTT's variable-length "remaining length" encoding. */
function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** The start of a CONNECT announcing `length` bytes: protocol MQTT 3.1.1, clean session, keepalive 60. */
function connectHead(length: number): Buffer {
  const variableHeader = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(length), variableHeader]);
}

/** Writes `total` bytes in 64 KiB chunks, waiting for drain, and stops early once the server closed the socket. */
async function trickle(raw: RawSocket, total: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let sent = 0;
  for (let i = 0; i < Math.ceil(total / chunk.length) && !raw.isClosed(); i++) {
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    const ok = raw.socket.write(piece);
    sent += piece.length;
    if (!ok) await Promise.race([new Promise((r) => raw.socket.once('drain', r)), raw.closed(2000)]);
    await new Promise((r) => setImmediate(r));
  }
  return sent;
}

const rssMiB = () => Math.round(process.memoryUsage().rss / MiB);

describe('before login', () => {
  it('four sockets announcing 256 MiB CONNECTs are closed at the header, memory stays put, the server still answers', async () => {
    global.gc?.();
    const before = rssMiB();
    const raws = await Promise.all([1, 2, 3, 4].map(() => rawSocket(patient.sandbox.urls.mqtt)));
    for (const raw of raws) raw.socket.write(connectHead(256 * MiB - 1));
    const sent = await Promise.all(raws.map((raw) => trickle(raw, 16 * MiB)));
    const closed = await Promise.all(raws.map((raw) => raw.closed(5000)));
    const after = rssMiB();
    console.log(
      `[figures] 4 sockets announcing 256 MiB CONNECTs: sent ${sent.map((b) => Math.round(b / 1024)).join('/')} KiB before close; RSS ${before} → ${after} MiB`,
    );
    expect(closed).toEqual([true, true, true, true]);
    const ok = await connectMqtt(patient.sandbox.urls.mqtt, ALICE.secretKey);
    clients.push(ok);
    expect(ok.connected).toBe(true);
  });

  it('a CONNECT announced over 64 KiB is closed at its header; a real one with a 60 KiB will is accepted', async () => {
    const raw = await rawSocket(patient.sandbox.urls.mqtt);
    raw.socket.write(connectHead(100 * 1024));
    await trickle(raw, 70 * 1024); // never completes the announced 100 KiB
    expect(await raw.closed(5000)).toBe(true);
    // MQTT 3.1.1 caps a will payload at 65,535 bytes; a large one still fits under the limit
    const will = { topic: 'home/note', payload: Buffer.alloc(60 * 1024, 0x62), qos: 0 as const, retain: false };
    const ok = await connectMqtt(patient.sandbox.urls.mqtt, ALICE_HOME_TOKEN, { will });
    clients.push(ok);
    expect(ok.connected).toBe(true);
  });

  it('a CONNECT that has not arrived whole within the CONNECT timeout is closed', async () => {
    const raw = await rawSocket(hasty.sandbox.urls.mqtt);
    raw.socket.write(connectHead(200)); // 10 of the 200 announced bytes, then silence
    expect(await raw.closed(10_000)).toBe(true);
    const ok = await connectMqtt(hasty.sandbox.urls.mqtt, ALICE.secretKey);
    clients.push(ok);
    expect(ok.connected).toBe(true);
  });
});

describe('after login', () => {
  it('a PUBLISH over the message limit (128 KiB + 4 KiB) closes the connection; one under it is delivered', async () => {
    const listener = await connectMqtt(patient.sandbox.urls.mqtt, ALICE.secretKey);
    const sender = await connectMqtt(patient.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
    clients.push(listener, sender);
    await subscribe(listener, 'home/note', 1);
    const fits = Buffer.alloc(128 * 1024, 0x63);
    const got = nextMessage(listener, (m) => m.payload.length === fits.length);
    await publish(sender, 'home/note', fits, 1);
    await got;

    const closing = closedByServer(sender, 5000);
    sender.publish('home/note', Buffer.alloc(200 * 1024, 0x64), { qos: 0 });
    await closing;
  });
});
