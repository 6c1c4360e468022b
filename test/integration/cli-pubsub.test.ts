/**
 * `apiary pub` and `apiary sub` against the real sandbox on loopback, run in-process with captured I/O:
 * token_ / legacy token: / secret key credentials, TLS with the sandbox CA, a rejected token (one CONNECT,
 * no retry storm, no secret in the message), --count, --timeout, binary payloads and Beebotte topic rules.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPubCommand } from '../../electron/commands/pub.js';
import { runSubCommand } from '../../electron/commands/sub.js';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { normalizeProfile } from '../../electron/core/profiles/profile.js';
import { ProfileStore } from '../../electron/core/profiles/profile-store.js';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  LEGACY_TOKEN,
  type TestSandbox,
  connectMqtt,
  endClient,
  publish,
  rest,
  startTestSandbox,
} from '../tools/sandbox-fixtures.js';

/** Captured stdout/stderr, an empty stdin and an empty environment (nothing leaks in from the shell). */
function capture(env: NodeJS.ProcessEnv = {}, stdinText = '') {
  const out = { stdout: '', stderr: '' };
  const waiters = new Set<() => void>();
  const sink = (key: 'stdout' | 'stderr') => ({
    write(text: string) {
      out[key] += text;
      for (const w of [...waiters]) w();
      return true;
    },
  });
  const controller = new AbortController();
  const io: Partial<CommandIo> = {
    stdout: sink('stdout'),
    stderr: sink('stderr'),
    stdin: Readable.from(stdinText ? [stdinText] : []),
    env,
    signal: controller.signal,
  };
  /** Resolves once the stream matches (bounded). */
  const waitFor = (key: 'stdout' | 'stderr', pattern: RegExp, ms = 8000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out[key])) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`${key} did not match ${pattern} within ${ms} ms; it was: ${out[key]}`));
      }, ms);
      waiters.add(check);
      check();
    });
  return { io, out, waitFor, stop: () => controller.abort() };
}

let t: TestSandbox;
const log: string[] = [];
let mqttUrl: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestSandbox({ log: (line) => log.push(line) });
  mqttUrl = t.sandbox.urls.mqtt;
});
afterAll(async () => {
  await Promise.all(clients.map(endClient));
  await t.cleanup();
});

/** Starts `apiary sub` and resolves once it is subscribed, with its exit promise. */
async function startSub(args: string[], env: NodeJS.ProcessEnv = {}) {
  const c = capture(env);
  const exit = runSubCommand(args, c.io);
  await Promise.race([
    c.waitFor('stderr', /subscribed to/),
    exit.then((code) => Promise.reject(new Error(`sub exited ${code}: ${c.out.stderr}`))),
  ]);
  return { ...c, exit };
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('pub/sub round trips on the sandbox', () => {
  it('token_ channel token: sub --json --count 1 prints the envelope and its data', async () => {
    const sub = await startSub(['home/note', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--count', '1', '--json']);
    const pub = capture();
    expect(
      await runPubCommand(['home/note', '"hello"', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--qos', '1'], pub.io),
    ).toBe(0);
    expect(pub.out.stdout).toMatch(/published \d+ bytes to home\/note \(QoS 1, acknowledged\)/);
    expect(await sub.exit).toBe(0);
    const [line, ...more] = jsonLines(sub.out.stdout);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ topic: 'home/note', qos: 0, payload: '{"data":"hello"}', data: 'hello' });
    expect(typeof line!.ts).toBe('number');
    expect(line).not.toHaveProperty('encoding');
  });

  it('legacy token: the bare token and the token: form both work', async () => {
    const sub = await startSub([
      'legacy/value',
      '--broker',
      mqttUrl,
      '--token',
      LEGACY_TOKEN,
      '--count',
      '1',
      '--json',
      '--qos',
      '1',
    ]);
    const pub = capture();
    expect(
      await runPubCommand(
        ['legacy/value', '{"n":1}', '--broker', mqttUrl, '--token', `token:${LEGACY_TOKEN}`, '--qos', '1'],
        pub.io,
      ),
    ).toBe(0);
    expect(await sub.exit).toBe(0);
    expect(jsonLines(sub.out.stdout)[0]).toMatchObject({ topic: 'legacy/value', data: { n: 1 } });
  });

  it('secret key (from the environment): --write persists the value, read back over REST', async () => {
    const env = { APIARY_SECRET_KEY: ALICE.secretKey };
    const sub = await startSub(['home/#', '--broker', mqttUrl, '--count', '1', '--json'], env);
    const pub = capture(env);
    expect(await runPubCommand(['home/note', '"persist me"', '--broker', mqttUrl, '--write', '--qos', '1'], pub.io)).toBe(0);
    expect(await sub.exit).toBe(0);
    expect(jsonLines(sub.out.stdout)[0]).toMatchObject({ topic: 'home/note', data: 'persist me' });
    const read = await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/note?limit=1', { token: ALICE_HOME_TOKEN });
    expect(read.status).toBe(200);
    expect(read.json[0].data).toBe('persist me');
  });

  it('--token-stdin reads the token from stdin', async () => {
    const sub = await startSub(['home/note', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--count', '1', '--json']);
    const pub = capture({}, `${ALICE_HOME_TOKEN}\n`);
    expect(await runPubCommand(['home/note', '7', '--broker', mqttUrl, '--token-stdin'], pub.io)).toBe(0);
    expect(await sub.exit).toBe(0);
    expect(jsonLines(sub.out.stdout)[0]).toMatchObject({ data: 7 });
  });

  it('--count N stops after exactly N messages', async () => {
    const sub = await startSub(['home/note', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--count', '2', '--json']);
    const publisher = await connectMqtt(mqttUrl, ALICE_HOME_TOKEN);
    clients.push(publisher);
    for (const n of [1, 2, 3]) await publish(publisher, 'home/note', JSON.stringify({ data: `m${n}` }), 1);
    expect(await sub.exit).toBe(0);
    expect(jsonLines(sub.out.stdout).map((l) => l.data)).toEqual(['m1', 'm2']);
  });

  it('binary payloads come out as base64 with "encoding":"base64"', async () => {
    const sub = await startSub(['home/note', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--count', '1', '--json']);
    const publisher = await connectMqtt(mqttUrl, ALICE_HOME_TOKEN);
    clients.push(publisher);
    await publish(publisher, 'home/note', Buffer.from([0xff, 0x00, 0xfe]), 1);
    expect(await sub.exit).toBe(0);
    const [line] = jsonLines(sub.out.stdout);
    expect(line).toMatchObject({ topic: 'home/note', payload: '/wD+', encoding: 'base64' });
    expect(line).not.toHaveProperty('data');
  });

  it('--raw sends the text as it is', async () => {
    const sub = await startSub(['home/note', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--count', '1', '--json']);
    const pub = capture();
    expect(
      await runPubCommand(
        ['home/note', 'not json', '--raw', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--qos', '1'],
        pub.io,
      ),
    ).toBe(0);
    expect(await sub.exit).toBe(0);
    const [line] = jsonLines(sub.out.stdout);
    expect(line).toMatchObject({ payload: 'not json' });
    expect(line).not.toHaveProperty('data');
  });
});

describe('TLS', () => {
  it('connects over mqtts with --ca and round-trips', async () => {
    const url = t.sandbox.urls.mqtts!;
    const sub = await startSub([
      'home/note',
      '--broker',
      url,
      '--ca',
      t.sandbox.caPath,
      '--token',
      ALICE_HOME_TOKEN,
      '--count',
      '1',
      '--json',
    ]);
    const pub = capture();
    expect(
      await runPubCommand(
        ['home/note', '"over tls"', '--broker', url, '--ca', t.sandbox.caPath, '--token', ALICE_HOME_TOKEN, '--qos', '1'],
        pub.io,
      ),
    ).toBe(0);
    expect(await sub.exit).toBe(0);
    expect(jsonLines(sub.out.stdout)[0]).toMatchObject({ data: 'over tls' });
  });

  it('without the CA the certificate is not trusted: exit 1 with the reason', async () => {
    const pub = capture();
    expect(await runPubCommand(['home/note', '1', '--broker', t.sandbox.urls.mqtts!, '--token', ALICE_HOME_TOKEN], pub.io)).toBe(
      1,
    );
    expect(pub.out.stderr).toMatch(/TLS: the certificate of .* is not trusted/);
  });
});

describe('failures', () => {
  it('a bad token: non-zero exit, "rejected" on stderr, exactly one CONNECT, the token never printed', async () => {
    const bad = 'token_doesNotExist000000001';
    const before = log.filter((l) => l.includes('refused (CONNACK 5)')).length;
    const sub = capture();
    const code = await runSubCommand(['home/note', '--broker', mqttUrl, '--token', bad, '--count', '1'], sub.io);
    expect(code).toBe(1);
    expect(sub.out.stderr).toMatch(
      /credential rejected by 127\.0\.0\.1:\d+ \(CONNACK 5, not authorized\): check the channel token/,
    );
    expect(sub.out.stderr + sub.out.stdout).not.toContain(bad);
    const pub = capture();
    expect(await runPubCommand(['home/note', '1', '--broker', mqttUrl, '--token', bad, '--qos', '1'], pub.io)).toBe(1);
    expect(pub.out.stderr).toMatch(/rejected/);
    // give a reconnect loop, if there were one, the time to show itself; then count the CONNECTs: one per command
    await new Promise((r) => setTimeout(r, 1500));
    expect(log.filter((l) => l.includes('refused (CONNACK 5)')).length - before).toBe(2);
  });

  it('--timeout: exit 3 when no message arrives', async () => {
    const sub = capture();
    expect(
      await runSubCommand(['garage/door', '--broker', mqttUrl, '--secret-key', ALICE.secretKey, '--timeout', '0.3'], sub.io),
    ).toBe(3);
    expect(sub.out.stderr).toMatch(/timeout/);
    expect(sub.out.stderr).not.toContain(ALICE.secretKey);
  });

  it('a subscription outside the credential is refused (SUBACK 0x80)', async () => {
    const sub = capture();
    expect(await runSubCommand(['garage/door', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--timeout', '2'], sub.io)).toBe(
      1,
    );
    expect(sub.out.stderr).toMatch(/refused \(SUBACK 0x80\)/);
  });

  it('Beebotte topic and payload rules are checked before connecting', async () => {
    const before = log.length;
    const deep = capture();
    expect(await runPubCommand(['home/note/deeper', '1', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN], deep.io)).toBe(2);
    expect(deep.out.stderr).toMatch(/channel\/resource/);
    const notJson = capture();
    expect(await runPubCommand(['home/note', 'not json', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN], notJson.io)).toBe(2);
    expect(notJson.out.stderr).toMatch(/must be JSON/);
    const qos2 = capture();
    expect(await runSubCommand(['home/note', '--qos', '2', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN], qos2.io)).toBe(2);
    expect(log.length).toBe(before); // nothing reached the broker
  });

  it('writing to a missing resource: the broker drops the connection, QoS 1 reports it', async () => {
    const pub = capture();
    expect(
      await runPubCommand(
        ['home/missing', '1', '--write', '--qos', '1', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN],
        pub.io,
      ),
    ).toBe(1);
    expect(pub.out.stderr).toMatch(/closed the connection before acknowledging/);
  });

  it('unknown flags and missing arguments are usage errors (exit 2), --help exits 0', async () => {
    const a = capture();
    expect(await runPubCommand(['--bogus'], a.io)).toBe(2);
    expect(a.out.stderr).toMatch(/apiary pub: .*--bogus/);
    const b = capture();
    expect(await runSubCommand([], b.io)).toBe(2);
    const c = capture();
    expect(await runSubCommand(['--help'], c.io)).toBe(0);
    expect(c.out.stdout).toMatch(/usage: apiary sub/);
  });

  it('Ctrl-C (the abort signal) ends sub with exit 0', async () => {
    const sub = await startSub(['home/note', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN]);
    sub.stop();
    expect(await sub.exit).toBe(0);
  });
});

describe('subscribing and profiles', () => {
  it('sub --count 1 gets the sandbox\'s sendOnSubscribe value', async () => {
    const pub = capture();
    expect(
      await runPubCommand(['home/temp', '21.5', '--write', '--qos', '1', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN], pub.io),
    ).toBe(0);
    const sub = capture();
    const code = await runSubCommand(
      ['home/temp', '--broker', mqttUrl, '--token', ALICE_HOME_TOKEN, '--count', '1', '--timeout', '5', '--json'],
      sub.io,
    );
    expect(sub.out.stderr).not.toMatch(/timeout/);
    expect(code).toBe(0);
    expect(jsonLines(sub.out.stdout)).toEqual([expect.objectContaining({ topic: 'home/temp', data: 21.5 })]);
  });

  it('sub --count 1 gets a message that arrives in the same TCP read as the SUBACK', async () => {
    // a broker that writes SUBACK and a PUBLISH in one chunk: mqtt.js emits the message before the
    // subscribe promise resolves, so a listener attached after `await subscribe` misses it
    const broker = await startSubackThenPublishBroker('home/temp', '{"data":7}');
    try {
      const sub = capture();
      const code = await runSubCommand(
        ['home/temp', '--broker', broker.url, '--username', 'u', '--count', '1', '--timeout', '5', '--json'],
        sub.io,
      );
      expect(sub.out.stderr).not.toMatch(/timeout/);
      expect(code).toBe(0);
      expect(jsonLines(sub.out.stdout)).toEqual([expect.objectContaining({ topic: 'home/temp', data: 7 })]);
    } finally {
      await broker.close();
    }
  });

  it('--profile of a sandbox profile with --broker connects there (the embedded sandbox is not needed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-cli-sbx-profile-'));
    try {
      const store = new ProfileStore(join(dir, 'profiles.json'));
      store.put(normalizeProfile({ name: 'local', kind: 'sandbox', credentialType: 'channelToken', secretMode: 'ask' }, store.newId()));
      const sub = await startSub([
        'home/note',
        '--profile',
        'local',
        '--data',
        dir,
        '--broker',
        mqttUrl,
        '--token',
        ALICE_HOME_TOKEN,
        '--count',
        '1',
        '--json',
      ]);
      const pub = capture();
      const args = ['home/note', '"via profile"', '--profile', 'local', '--data', dir, '--broker', mqttUrl, '--qos', '1'];
      expect(await runPubCommand([...args, '--token', ALICE_HOME_TOKEN], pub.io)).toBe(0);
      expect(pub.out.stderr).toBe('');
      expect(await sub.exit).toBe(0);
      expect(jsonLines(sub.out.stdout)[0]).toMatchObject({ topic: 'home/note', data: 'via profile' });
      // without --broker, say how to reach a sandbox from the command line
      const lost = capture();
      const noBroker = ['home/note', '1', '--profile', 'local', '--data', dir, '--token', ALICE_HOME_TOKEN];
      expect(await runPubCommand(noBroker, lost.io)).toBe(2);
      expect(lost.out.stderr).toMatch(/embedded sandbox: give its address with --broker/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A minimal MQTT 3.1.1 server: CONNACK 0 to CONNECT; to SUBSCRIBE, SUBACK and one QoS 0 PUBLISH in a single write. */
async function startSubackThenPublishBroker(topic: string, payload: string): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const packet = nextPacket(buffered);
        if (!packet) return;
        buffered = buffered.subarray(packet.size);
        const type = packet.header >> 4;
        if (type === 1) socket.write(Buffer.from([0x20, 0x02, 0x00, 0x00])); // CONNACK, accepted
        if (type === 8) {
          const id = packet.body.subarray(0, 2);
          const t = Buffer.from(topic, 'utf8');
          const p = Buffer.from(payload, 'utf8');
          const publishBody = Buffer.concat([Buffer.from([t.length >> 8, t.length & 0xff]), t, p]);
          socket.write(
            Buffer.concat([Buffer.from([0x90, 0x03]), id, Buffer.from([0x00]), Buffer.from([0x30, publishBody.length]), publishBody]),
          );
        }
        if (type === 12) socket.write(Buffer.from([0xd0, 0x00])); // PINGRESP
        if (type === 14) socket.end(); // DISCONNECT
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function nextPacket(buf: Buffer): { header: number; body: Buffer; size: number } | null {
  if (buf.length < 2) return null;
  let length = 0;
  let multiplier = 1;
  let i = 1;
  for (;;) {
    if (i >= buf.length) return null;
    const byte = buf[i++]!;
    length += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) break;
  }
  if (buf.length < i + length) return null;
  return { header: buf[0]!, body: buf.subarray(i, i + length), size: i + length };
}
