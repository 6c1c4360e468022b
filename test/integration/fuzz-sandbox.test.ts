/**
 * Hostile input against the sandbox: wrong tokens, bad signatures and Dates, oversized and broken
 * bodies, topic tricks (`#`, `+`, `$SYS`, the internal `D/<owner>` form, empty levels, unicode, invalid
 * UTF-8, 60 000-byte topics) sent as raw MQTT packets. Two accounts that both own a channel "home":
 * Bob, listening to everything he may, never sees a byte of Alice's — and the sandbox answers afterwards.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  BOB,
  BOB_HOME_TOKEN,
  collect,
  connackCode,
  connectMqtt,
  endClient,
  nextMessage,
  publish,
  rest,
  startTestSandbox,
  subscribe,
  type Received,
  type TestSandbox,
} from '../tools/sandbox-fixtures.js';
import { contentMd5, signString, stringToSign } from '../../electron/sandbox/rest/auth.js';

let t: TestSandbox;
let bobAll: MqttClient;
let bobHome: MqttClient;
let bobSeen: Received[] = [];
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  // Bob listens as widely as his credentials allow: the whole account, and his home channel
  bobAll = await connectMqtt(t.sandbox.urls.mqtt, BOB.secretKey);
  bobHome = await connectMqtt(t.sandbox.urls.mqtt, BOB_HOME_TOKEN);
  clients.push(bobAll, bobHome);
  for (const filter of ['#', '+/+', '+/#', '$SYS/#', 'D/#', 'S/#', 'signaling/#']) await subscribe(bobAll, filter, 1);
  await subscribe(bobHome, 'home/#', 1);
  bobSeen = collect(bobAll);
  bobHome.on('message', (topic, payload, packet) => bobSeen.push({ topic, payload, qos: packet.qos }));
});
afterAll(async () => {
  for (const c of clients) await endClient(c);
  await t?.cleanup();
});

// ---- raw MQTT 3.1.1 packets, so the client library cannot sanitize what we send ----

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}
const str = (value: Buffer | string) => {
  const b = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
};
const packet = (header: number, body: Buffer) => Buffer.concat([Buffer.from([header]), remainingLength(body.length), body]);
const connectPacket = (username: string, clientId: string) =>
  packet(0x10, Buffer.concat([str('MQTT'), Buffer.from([0x04, 0x82, 0x00, 0x3c]), str(clientId), str(username)]));
const publishPacket = (topic: Buffer | string, payload: string) => packet(0x30, Buffer.concat([str(topic), Buffer.from(payload)]));

/** Opens a raw connection, sends CONNECT then `packets`, and resolves when the server closed it or after a short grace. */
function rawSession(username: string, packets: Buffer[], graceMs = 100): Promise<{ connack: number | null; closedByServer: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(t.sandbox.urls.mqtt).port), '127.0.0.1');
    let connack: number | null = null;
    let closedByServer = false;
    let timer: NodeJS.Timeout | null = null;
    socket.on('data', (data: Buffer) => {
      if (connack === null && data[0] === 0x20) {
        connack = data[3] ?? null;
        for (const p of packets) socket.write(p);
        timer = setTimeout(() => socket.end(), graceMs);
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (timer) clearTimeout(timer);
      closedByServer = timer !== null && connack !== null;
      resolve({ connack, closedByServer });
    });
    socket.write(connectPacket(username, `raw-${Math.random().toString(36).slice(2)}`));
    setTimeout(() => socket.destroy(), 5000); // bound, whatever happens
  });
}

function rawBytes(bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(t.sandbox.urls.mqtt).port), '127.0.0.1', () => socket.end(bytes));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    setTimeout(() => socket.destroy(), 3000);
  });
}

const ALICE_MARK = 'alice-secret-payload';

describe('sandbox under hostile input', () => {
  it('refuses wrong MQTT credentials with CONNACK 4/5', async () => {
    const url = t.sandbox.urls.mqtt;
    const wrong: [string, string][] = [
      ['token_' + 'x'.repeat(16), ''],
      ['token:', ''],
      ['token_', ''],
      ['iamtkn_', ''],
      [BOB_HOME_TOKEN.toUpperCase(), ''],
      [`${ALICE_HOME_TOKEN} `, ''],
      [ALICE.apiKey, ''],
      [ALICE.apiKey, 'name:bm90IGEgc2lnbmF0dXJl'],
      [ALICE.apiKey, ':'],
      [ALICE_HOME_TOKEN, BOB_HOME_TOKEN],
      ['x'.repeat(60_000), ''],
      ['💥', ''],
    ];
    for (const [username, password] of wrong) {
      expect([4, 5], `${username.slice(0, 40)} / ${password}`).toContain(await connackCode(url, username, password));
    }
  });

  it('topic tricks and garbage from Alice never reach Bob, who shares her channel name', async () => {
    const aliceAll = await connectMqtt(t.sandbox.urls.mqtt, ALICE.secretKey);
    clients.push(aliceAll);
    expect(await subscribe(aliceAll, '#', 1)).toEqual([1]);
    // positive control: Alice does get her own plain message from the raw sessions below, so they did publish
    // (home/note: a string resource, so the `write` is accepted; home/temp is a number and refuses it)
    const aliceOwn = nextMessage(aliceAll, (m) => m.topic === 'home/note' && m.payload.toString().includes(ALICE_MARK), 15_000);
    aliceOwn.catch(() => undefined); // awaited below
    const topics: (string | Buffer)[] = [
      'home/temp',
      'home/note',
      '#',
      'home/+',
      '+/temp',
      '$SYS/broker/uptime',
      'D/bob/home/temp',
      'S/bob/connect',
      'signaling/connect',
      'home//temp',
      '/home/temp',
      'home/temp/',
      '',
      'home/тем',
      'домой/temp',
      Buffer.from([0x68, 0x6f, 0x6d, 0x65, 0x2f, 0xff, 0xfe]), // invalid UTF-8
      'home/\u0000temp',
      `home/${'t'.repeat(60_000)}`,
    ];
    for (const topic of topics) {
      const payload = JSON.stringify({ data: `${ALICE_MARK} ${String(topic).slice(0, 20)}`, write: true });
      // both credentials authenticate: a refused CONNECT would make every trick below pass for nothing
      for (const credential of [ALICE.secretKey, ALICE_HOME_TOKEN]) {
        const session = await rawSession(credential, [publishPacket(topic, payload)]);
        expect(session.connack, `CONNACK for ${String(topic).slice(0, 20)}`).toBe(0);
      }
    }
    await aliceOwn;
    // broken packets and plain garbage
    await rawBytes(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    await rawBytes(Buffer.from([0x10, 0xff, 0xff, 0xff, 0xff, 0x7f])); // malformed remaining length
    await rawBytes(Buffer.concat([connectPacket(ALICE.secretKey, 'half'), Buffer.from([0x30, 0x7f, 0x00])])); // half a PUBLISH
    await rawBytes(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));

    // Alice's own connection still works and sees her own messages: the broker processed all of the above
    const alicePub = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
    clients.push(alicePub);
    const sync = nextMessage(aliceAll, (m) => m.payload.toString().includes('alice sync'));
    await publish(alicePub, 'home/temp', JSON.stringify({ data: 'alice sync' }), 1);
    await sync;

    // Bob's control message arrives: Bob's listeners were working all along
    const bobPub = await connectMqtt(t.sandbox.urls.mqtt, BOB_HOME_TOKEN);
    clients.push(bobPub);
    // both listening before the publish: each must get it, or the leak check below proves nothing
    const control = nextMessage(bobHome, (m) => m.payload.toString().includes('bob control'));
    const controlAll = nextMessage(bobAll, (m) => m.topic === 'home/note' && m.payload.toString().includes('bob control'));
    await publish(bobPub, 'home/note', JSON.stringify({ data: 'bob control' }), 1);
    await Promise.all([control, controlAll]);

    // Bob's own signaling (his clients connecting and subscribing) is his; anything else would be a leak
    const own = (m: Received) => {
      if (m.payload.toString().includes('bob control')) return true;
      if (!m.topic.startsWith('signaling/')) return false;
      return (JSON.parse(m.payload.toString()) as { data: { owner?: string } }).data.owner === 'bob';
    };
    const leaked = bobSeen.filter((m) => !own(m));
    expect(leaked.map((m) => `${m.topic.slice(0, 40)}: ${m.payload.toString().slice(0, 60)}`)).toEqual([]);
    expect(bobSeen.length).toBeGreaterThanOrEqual(1);

    // nothing of Alice's was stored in Bob's account either
    const bobRead = await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/temp?limit=1000', { token: BOB_HOME_TOKEN });
    expect(bobRead.status).toBe(200);
    expect(JSON.stringify(bobRead.json)).not.toContain(ALICE_MARK);
  }, 60_000);

  it('refuses bad REST credentials, signatures, Dates and bodies with 4xx, never 5xx', async () => {
    const base = t.sandbox.urls.http;
    const signed = (opts: { secret?: string; date?: string | null; path?: string; verb?: string; body?: string; md5?: string | null; auth?: string }) => {
      const verb = opts.verb ?? 'GET';
      const path = opts.path ?? '/v1/channels';
      const date = opts.date === undefined ? new Date().toUTCString() : opts.date;
      const body = opts.body;
      const md5 = opts.md5 === undefined ? (body !== undefined ? contentMd5(body) : '') : (opts.md5 ?? '');
      const type = body !== undefined ? 'application/json' : '';
      const signature = signString(opts.secret ?? ALICE.secretKey, stringToSign(verb, md5, type, date ?? '', path));
      const headers: Record<string, string> = { Authorization: opts.auth ?? `${ALICE.apiKey}:${signature}` };
      if (date !== null) headers.Date = date;
      if (md5) headers['Content-MD5'] = md5;
      return rest(base, verb, path, { headers, ...(body !== undefined ? { body } : {}) });
    };

    // the controls: a correct signature and a correct token work, so the refusals below mean something
    expect((await signed({})).status).toBe(200);
    expect((await rest(base, 'GET', '/v1/data/read/home/temp', { token: ALICE_HOME_TOKEN })).status).toBe(200);

    const minutes = (n: number) => new Date(Date.now() + n * 60_000).toUTCString();
    const bad = [
      await signed({ secret: BOB.secretKey }),
      await signed({ date: minutes(-20) }),
      await signed({ date: minutes(20) }),
      await signed({ date: null }),
      await signed({ date: 'yesterday at noon' }),
      await signed({ date: 'Thu, 01 Jan 1970 00:00:00 GMT' }),
      await signed({ auth: 'no-colon-here' }),
      await signed({ auth: ':signature' }),
      await signed({ auth: `${ALICE.apiKey}:` }),
      await signed({ auth: `unknownKey0000000000000:${'A'.repeat(28)}` }),
      await signed({ verb: 'POST', path: '/v1/data/publish/home/temp', body: '{"data":1}', md5: contentMd5('{"data":2}') }),
      await signed({ verb: 'POST', path: '/v1/data/publish/home/temp', body: '{"data":1}', md5: null }),
      await rest(base, 'GET', '/v1/data/read/home/temp', { token: 'token_garbage0000000' }),
      await rest(base, 'GET', '/v1/data/read/home/temp', { token: 'x'.repeat(8000) }),
      await rest(base, 'GET', '/v1/data/read/home/temp', { headers: { 'X-Auth-Token': '' } }),
      await rest(base, 'GET', '/v1/channels', { token: ALICE_HOME_TOKEN }), // admin route with a channel token
      await rest(base, 'GET', '/v1/public/data/read/bob/home/temp'), // Bob's private channel
      await rest(base, 'POST', '/v1/data/publish/home/temp', { token: ALICE_HOME_TOKEN, body: '{"data":' }),
      await rest(base, 'POST', '/v1/data/publish/home/temp', { token: ALICE_HOME_TOKEN, body: JSON.stringify({ data: 'x'.repeat(200 * 1024) }) }),
      await rest(base, 'POST', '/v1/data/publish/home/temp', { token: ALICE_HOME_TOKEN, body: `{"data":${'['.repeat(60_000)}${']'.repeat(60_000)}}` }),
      await rest(base, 'POST', '/v1/data/write/home/temp', { token: ALICE_HOME_TOKEN, body: '{"data":"not a number"}' }),
      await rest(base, 'GET', '/v1/data/read/..%2F..%2Fbob/temp', { token: ALICE_HOME_TOKEN }),
      await rest(base, 'GET', '/v1/data/read/home/temp%00', { token: ALICE_HOME_TOKEN }),
      await rest(base, 'POST', '/v1/data/publish/%23/temp', { token: ALICE_HOME_TOKEN, body: '{"data":1}' }),
      await rest(base, 'POST', '/v1/data/publish/home/%2B', { token: ALICE_HOME_TOKEN, body: '{"data":1}' }),
      await rest(base, 'POST', '/v1/data/publish/тем/temp', { token: ALICE_HOME_TOKEN, body: '{"data":1}' }),
      await rest(base, 'GET', `/v1/data/read/home/${'r'.repeat(4000)}`, { token: ALICE_HOME_TOKEN }),
      await rest(base, 'GET', '/v1/data/read/home/temp?limit=-1&time-range=1e309year', { token: ALICE_HOME_TOKEN }),
    ];
    const wrong = bad.map((r, i) => ({ i, status: r.status })).filter((r) => r.status < 400 || r.status >= 500);
    expect(wrong).toEqual([]);
    // the errors say what is wrong, in Beebotte's shape, and never echo a secret
    for (const r of bad) {
      if (typeof r.json === 'object' && r.json?.error) expect(typeof r.json.error.message, JSON.stringify(r.json).slice(0, 200)).toBe('string');
      expect(JSON.stringify(r.json)).not.toContain(ALICE.secretKey);
      expect(JSON.stringify(r.json)).not.toContain(BOB.secretKey);
    }
    const oversized = bad[18]!;
    expect(oversized.json?.error?.code).toBe(1406);

    // and the sandbox still answers
    expect((await signed({})).status).toBe(200);
  }, 60_000);
});
