/**
 * `apiary provision` end to end: the device simulator on a socat pty pair, a real broker (the sandbox
 * when it is there, else Mosquitto), the real serialport binding. Each test gets its own pty pair.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { SerialPort } from 'serialport';
import { resolveProfileForDevice } from '../../electron/commands/profile-resolver.js';
import { runProvisionCommand, type ProvisionDeps } from '../../electron/commands/provision.js';
import { ProfileStore } from '../../electron/core/profiles/profile-store.js';
import { normalizeProfile } from '../../electron/core/profiles/profile.js';
import { MemorySecretStore, accountFor } from '../../electron/core/vault/index.js';
import { credentialsForToken } from '../../electron/core/pairing/device-broker.js';
import { waitForFirstMessageOnBroker } from '../../electron/core/pairing/broker-first-message.js';
import { openPortPaths, openSerialPort } from '../../electron/core/pairing/serial-port.js';
import { startMosquitto, startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';

interface Broker {
  url: string;
  token: string;
  channel: string;
  resource: string;
  /** the sandbox refuses unknown tokens; anonymous Mosquitto does not */
  checksTokens: boolean;
  /** the sandbox's demo account over REST, and an IAM token of it (data rights only) */
  account?: { http: string; apiKey: string; secretKey: string; iamToken: string };
  stop(): Promise<void>;
}

/** The sandbox (Beebotte rules, the demo channel token) if it exists in this tree, else Mosquitto. */
async function startBroker(): Promise<Broker> {
  const sandboxFile = new URL('../../electron/sandbox/index.ts', import.meta.url);
  if (existsSync(sandboxFile)) {
    const mod = (await import('../../electron/sandbox/index.js')) as {
      startSandbox?: (o: { dataDir: string; mqttsPort?: null }) => Promise<{
        urls: { mqtt: string; http: string };
        demo?: { token: string; channel: string; owner: string; apiKey: string; secretKey: string };
        accounts: { createIamToken(owner: string, spec?: { channels?: string[] }): string };
        close(): Promise<void>;
      }>;
    };
    if (mod.startSandbox) {
      const dataDir = mkdtempSync(join(tmpdir(), 'apiary-pair-sandbox-'));
      const sb = await mod.startSandbox({ dataDir, mqttsPort: null });
      if (sb.demo) {
        return {
          url: sb.urls.mqtt,
          token: sb.demo.token,
          channel: sb.demo.channel,
          resource: 'temperature',
          checksTokens: true,
          account: {
            http: sb.urls.http,
            apiKey: sb.demo.apiKey,
            secretKey: sb.demo.secretKey,
            iamToken: sb.accounts.createIamToken(sb.demo.owner, { channels: [sb.demo.channel] }),
          },
          async stop() {
            await sb.close();
            rmSync(dataDir, { recursive: true, force: true });
          },
        };
      }
      await sb.close();
    }
  }
  const m = await startMosquitto();
  return { url: m.url, token: 'token_anything', channel: 'farm', resource: 'temperature', checksTokens: false, stop: m.stop };
}

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

let broker: Broker;
const running: { pair?: PtyPair; sim?: Sim }[] = [];

async function device(flags: string[] = []): Promise<{ pair: PtyPair; sim: Sim }> {
  const pair = await startPtyPair();
  const entry: { pair?: PtyPair; sim?: Sim } = { pair };
  running.push(entry);
  entry.sim = await startSim(pair.b, flags);
  return { pair, sim: entry.sim };
}

async function provision(port: string, extra: string[], opts: { stderr?: PassThrough } = {}) {
  const out = sink();
  const err = sink();
  if (opts.stderr) err.stream.pipe(opts.stderr);
  const argv = [
    '--port',
    port,
    '--wifi-ssid',
    'Home',
    '--broker',
    broker.url,
    '--token',
    broker.token,
    '--channel',
    broker.channel,
    '--resource',
    broker.resource,
    '--wait-first-message',
    '10',
    '--json',
    ...extra,
  ];
  const code = await runProvisionCommand(argv, { stdout: out.stream, stderr: err.stream });
  const lines = out.text().trim().split('\n');
  return { code, lines, result: JSON.parse(lines.at(-1) ?? 'null') as Record<string, unknown>, stderr: err.text() };
}

beforeAll(async () => {
  broker = await startBroker();
});

afterEach(async () => {
  for (const e of running.splice(0)) {
    await e.sim?.stop();
    await e.pair?.stop();
  }
});

afterAll(async () => {
  await broker?.stop();
});

describe('apiary provision against the simulator', () => {
  it('pairs: device info, Wi-Fi, MQTT, then the first message, as one JSON line', async () => {
    const { pair } = await device(['--ssid', 'Home', '--password', 'right-pw', '--name', 'Bee 1']);
    const run = await provision(pair.a, ['--wifi-password', 'right-pw']);
    expect(run.stderr).not.toContain('right-pw');
    expect(run.stderr).not.toContain(broker.token);
    expect(run.lines).toHaveLength(1);
    expect(run.result).toMatchObject({
      ok: true,
      port: pair.a,
      device: { firmware: 'Apiary', version: '1.0.0', chip: 'ESP32', name: 'Bee 1' },
      firstMessage: { topic: `${broker.channel}/${broker.resource}`, payload: { data: expect.any(Number) } },
    });
    expect(run.result.clientId).toMatch(/^apiary-/);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/✓ handshake: Apiary 1.0.0 on ESP32 \(Bee 1\)/);
    expect(openPortPaths()).toEqual([]);
  });

  it('reads the Wi-Fi password from stdin', async () => {
    const { pair } = await device(['--ssid', 'Home', '--password', 'from-stdin']);
    const stdin = new PassThrough();
    stdin.end('from-stdin\n');
    const out = sink();
    const code = await runProvisionCommand(
      [
        '--port',
        pair.a,
        '--wifi-ssid',
        'Home',
        '--wifi-password-stdin',
        '--broker',
        broker.url,
        '--token',
        broker.token,
        '--channel',
        broker.channel,
        '--resource',
        broker.resource,
        '--wait-first-message',
        '0',
        '--json',
      ],
      { stdin, stdout: out.stream, stderr: sink().stream },
    );
    expect(JSON.parse(out.text())).toMatchObject({ ok: true, firstMessage: null });
    expect(code).toBe(0);
  });

  it('a wrong Wi-Fi password fails the wifi step with error 0x03 in words', async () => {
    const { pair } = await device(['--ssid', 'Home', '--password', 'right-pw']);
    const run = await provision(pair.a, ['--wifi-password', 'wrong-pw']);
    expect(run.result).toMatchObject({
      ok: false,
      step: 'wifi',
      code: 'unable-to-connect',
      error: 'device could not join "Home": check the password',
    });
    expect(JSON.stringify(run.result)).not.toContain('wrong-pw');
    expect(run.code).toBe(1);
  });

  it('stock firmware (no Apiary extension) joins Wi-Fi but is refused before it gets the MQTT credentials, as in the desk', async () => {
    const { pair, sim } = await device(['--no-apiary-ext']);
    const run = await provision(pair.a, ['--wifi-password', 'x']);
    expect(run.result).toMatchObject({ ok: false, step: 'mqtt', code: 'no-extension', device: { firmware: 'ESPHome' } });
    expect(run.result.error).toMatch(/ESPHome joined Wi-Fi but does not take MQTT settings over serial \(no Apiary extension\)/);
    expect(run.stderr).toContain('✗ mqtt: No Apiary extension — ');
    expect(sim.output()).toContain('device-sim: rpc 0x01'); // Wi-Fi sent
    expect(sim.output()).not.toContain('device-sim: rpc 0x80'); // the token never went to the board
    expect(run.code).toBe(1);
  });

  it('an unplug while waiting for the first message is reported as an unplug, not a timeout, as in the desk', async () => {
    // publishes only after 60 s and vanishes right after taking its MQTT settings; the pty goes with it
    const { pair, sim } = await device(['--die-at', 'first-message', '--publish-ms', '60000']);
    sim.process.once('exit', () => pair.process.kill('SIGKILL'));
    const run = await provision(pair.a, ['--wifi-password', 'x', '--wait-first-message', '8']);
    expect(run.result).toMatchObject({ ok: false, step: 'first-message', code: 'disconnected' });
    expect(run.result.error).toMatch(/disconnected \(unplugged or reset\?\) while waiting for its first message/);
    expect(openPortPaths()).toEqual([]);
  });

  it('Tasmota gets its MQTT settings through a console Backlog and then publishes on channel/resource', async () => {
    // the simulator applies Tasmota's topic rules (FullTopic/Topic/Rule/Publish): a Backlog that only sets
    // Topic would leave it publishing on tele/…/SENSOR, outside the channel, and the sandbox drops it
    const { pair, sim } = await device(['--tasmota', '--publish-ms', '300']);
    const run = await provision(pair.a, ['--wifi-password', 'x']);
    expect(run.result).toMatchObject({ ok: true, clientId: null, device: { firmware: 'Tasmota' } });
    expect(run.result.firstMessage).toMatchObject({ topic: `${broker.channel}/${broker.resource}`, payload: { data: 'online' } });
    expect(run.stderr).toMatch(/rule publishing on/);
    expect(sim.output()).not.toContain(broker.token);
    expect(run.stderr).not.toContain(broker.token);
  });

  it("the first-message clock starts when it is armed (the device's MQTT step done), not when listening starts", async () => {
    const armedNever = new Promise<void>(() => undefined);
    const abort = new AbortController();
    const target = { url: broker.url, ...credentialsForToken(broker.token) };
    // 1 ms: had the clock started at once, this would reject before any message could arrive
    const first = waitForFirstMessageOnBroker(target, broker.channel, broker.resource, 1, abort.signal, armedNever);
    let settled = false;
    void first.then(
      () => (settled = true),
      () => (settled = true),
    );
    const publisher = mqtt.connect(broker.url, { ...target, reconnectPeriod: 0, protocolVersion: 4 });
    try {
      for (let i = 0; i < 100 && !settled; i++) {
        if (publisher.connected) publisher.publish(`${broker.channel}/${broker.resource}`, JSON.stringify({ data: i }));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await first).toMatchObject({ topic: `${broker.channel}/${broker.resource}`, payload: { data: expect.any(Number) } });
    } finally {
      abort.abort();
      publisher.end(true);
    }
  });

  it('a port with nothing speaking Improv gives the baud-rate hint', async () => {
    const pair = await startPtyPair();
    running.push({ pair });
    const run = await provision(pair.a, ['--wifi-password', 'x']);
    expect(run.result).toMatchObject({
      ok: false,
      step: 'handshake',
      code: 'no-answer',
      error: 'no Improv answer: wrong baud rate (try 115200) or firmware without Improv',
    });
  });

  it.each([
    ['before the Wi-Fi frame is written', 0],
    ['while the device joins Wi-Fi', 400],
  ])('unplugging mid-way (device and pty vanish) %s names the step', async (_when, delayMs) => {
    const { pair, sim } = await device(['--join-ms', '20000']);
    const progress = new PassThrough();
    let unplugged = false;
    progress.on('data', (d: Buffer) => {
      if (!unplugged && d.toString().includes('→ wifi')) {
        unplugged = true;
        setTimeout(() => {
          sim.process.kill('SIGKILL');
          pair.process.kill('SIGKILL');
        }, delayMs);
      }
    });
    const run = await provision(pair.a, ['--wifi-password', 'x'], { stderr: progress });
    expect(unplugged).toBe(true);
    expect(run.result).toMatchObject({ ok: false, step: 'wifi', code: 'disconnected' });
    expect(run.result.error).toMatch(/disconnected \(unplugged or reset\?\) while joining Wi-Fi "Home"/);
    expect(openPortPaths()).toEqual([]);
  });

  it('a broker that refuses the token fails the mqtt step (sandbox only)', async (ctx) => {
    if (!broker.checksTokens) ctx.skip();
    const { pair } = await device();
    const run = await provision(pair.a, ['--wifi-password', 'x', '--token', 'token_not_a_real_one']);
    expect(run.result).toMatchObject({ ok: false, step: 'mqtt', code: 'unable-to-connect' });
    expect(run.result.error).toMatch(/could not connect to the MQTT broker at 127.0.0.1:\d+/);
    expect(run.stderr).not.toContain('token_not_a_real_one');
  });

  it('a busy port says another program holds it', async () => {
    const { pair } = await device();
    // another program: a serialport handle Apiary did not open (serialport's lock refuses the next opener)
    const holder = new SerialPort({ path: pair.a, baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((e) => (e ? reject(e) : resolve())));
    try {
      const run = await provision(pair.a, ['--wifi-password', 'x']);
      expect(run.result).toMatchObject({ ok: false, step: 'open', code: 'port-busy' });
      expect(run.result.error).toBe(
        `${pair.a} is open in another program (a serial monitor, screen, another Apiary?): close it and try again`,
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('a port held inside Apiary names its holder', async () => {
    const { pair } = await device();
    const holder = await openSerialPort(pair.a, { owner: 'the serial console' });
    try {
      const run = await provision(pair.a, ['--wifi-password', 'x']);
      expect(run.result).toMatchObject({ ok: false, step: 'open', code: 'port-busy' });
      expect(run.result.error).toBe(`${pair.a} is in use by the serial console in Apiary: close it there first, then try again`);
    } finally {
      await holder.close();
    }
  });

  it('provisions several ports in a row without leaking an open port', async () => {
    const devices = [await device(['--name', 'A']), await device(['--name', 'B']), await device(['--name', 'C'])];
    for (const d of devices) {
      const run = await provision(d.pair.a, ['--wifi-password', 'x', '--wait-first-message', '0']);
      expect(run.result).toMatchObject({ ok: true });
      expect(openPortPaths()).toEqual([]);
    }
    // each port can be opened again: nothing in this process still holds its lock
    for (const d of devices) {
      const again = await openSerialPort(d.pair.a);
      await again.close();
    }
    expect(openPortPaths()).toEqual([]);
  });
});

describe('apiary provision --keep-mqtt: Wi-Fi only', () => {
  const mqttSends = (sim: Sim) => (sim.output().match(/device-sim: rpc 0x80/g) ?? []).length;

  it('the board joins the network again and keeps its MQTT settings (never sent 0x80 again), then publishes', async () => {
    const { pair, sim } = await device(['--name', 'Bee 10', '--publish-ms', '300']);
    expect((await provision(pair.a, ['--wifi-password', 'x'])).result).toMatchObject({ ok: true });
    const sends = mqttSends(sim);
    expect(sends).toBe(1);

    const run = await provision(pair.a, ['--wifi-password', 'new-pw', '--keep-mqtt']);
    expect(run.result).toMatchObject({
      ok: true,
      clientId: null,
      firstMessage: { topic: `${broker.channel}/${broker.resource}` },
      deviceUrl: 'http://192.168.4.23/',
    });
    expect(mqttSends(sim)).toBe(sends);
    expect(run.stderr).toContain('Wi-Fi only: the board keeps its MQTT settings');
    expect(run.stderr).toContain('device page: http://192.168.4.23/');
  });

  it('an Apiary board with no MQTT settings is refused before its Wi-Fi is touched', async () => {
    const { pair, sim } = await device(['--name', 'Bee 11']);
    const run = await provision(pair.a, ['--wifi-password', 'x', '--keep-mqtt']);
    expect(run.result).toMatchObject({ ok: false, step: 'handshake', code: 'no-mqtt' });
    expect(run.result.error).toBe(
      'Bee 11 has no MQTT settings to keep: it needs the full pairing (Wi-Fi and MQTT), not Wi-Fi only',
    );
    expect(sim.output()).not.toContain('device-sim: rpc 0x01');
    expect(run.code).toBe(1);
  });
});

describe('apiary provision --keep-wifi: MQTT settings only', () => {
  /** --keep-wifi with the broker flags, no Wi-Fi flag at all */
  async function keepWifi(port: string, resource: string) {
    const out = sink();
    const err = sink();
    const argv = ['--port', port, '--keep-wifi', '--broker', broker.url, '--token', broker.token];
    argv.push('--channel', broker.channel, '--resource', resource, '--wait-first-message', '10', '--json');
    const code = await runProvisionCommand(argv, { stdout: out.stream, stderr: err.stream });
    return {
      code,
      result: JSON.parse(out.text().trim().split('\n').at(-1) ?? 'null') as Record<string, unknown>,
      stderr: err.text(),
    };
  }

  it('re-provisions a board already on Wi-Fi: no Wi-Fi step, it reconnects with the new settings', async () => {
    const { pair, sim } = await device(['--ssid', 'Home', '--password', 'right-pw', '--name', 'Bee 9', '--publish-ms', '300']);
    const first = await provision(pair.a, ['--wifi-password', 'right-pw']);
    expect(first.result).toMatchObject({ ok: true });
    const joins = (sim.output().match(/connecting to "Home"/g) ?? []).length;

    const other = broker.resource === 'humidity' ? 'pressure' : 'humidity';
    const again = await keepWifi(pair.a, other);
    expect(again.result).toMatchObject({
      ok: true,
      device: { name: 'Bee 9' },
      firstMessage: { topic: `${broker.channel}/${other}`, payload: { data: expect.any(Number) } },
    });
    expect(again.result.clientId).not.toBe(first.result.clientId);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/wifi|scan/);
    expect(again.stderr).toMatch(/✓ mqtt: connected as apiary-/);
    expect((sim.output().match(/connecting to "Home"/g) ?? []).length).toBe(joins); // no second join
    expect(again.stderr).not.toContain(broker.token);
    expect(openPortPaths()).toEqual([]);
  });

  it('a board without Wi-Fi is refused: it needs the full pairing', async () => {
    const { pair, sim } = await device(['--name', 'Bee 10']);
    const run = await keepWifi(pair.a, broker.resource);
    expect(run.result).toMatchObject({ ok: false, step: 'handshake', code: 'no-wifi', device: { name: 'Bee 10' } });
    expect(run.result.error).toMatch(/Bee 10 has no Wi-Fi yet .*needs the full pairing/);
    expect(run.code).toBe(1);
    expect(sim.output()).not.toContain('[I][mqtt]');
    expect(openPortPaths()).toEqual([]);
  });

  it('--token-env takes the channel token from the environment, keeping it off the command line', async () => {
    const { pair } = await device(['--ssid', 'Home', '--password', 'right-pw']);
    const argvWith = (tokenFlags: string[]) => [
      '--port',
      pair.a,
      '--wifi-ssid',
      'Home',
      '--wifi-password',
      'right-pw',
      '--broker',
      broker.url,
      ...tokenFlags,
      '--channel',
      broker.channel,
      '--resource',
      broker.resource,
      '--wait-first-message',
      '10',
      '--json',
    ];
    const out = sink();
    const code = await runProvisionCommand(argvWith(['--token-env', 'BEE_TOKEN']), {
      stdout: out.stream,
      stderr: sink().stream,
      env: { BEE_TOKEN: broker.token },
    });
    expect(JSON.parse(out.text().trim().split('\n').at(-1)!)).toMatchObject({ ok: true });
    expect(code).toBe(0);

    const unset = sink();
    expect(
      await runProvisionCommand(argvWith(['--token-env', 'NOT_SET']), { stdout: sink().stream, stderr: unset.stream, env: {} }),
    ).toBe(2);
    expect(unset.text()).toMatch(/--token-env NOT_SET: that environment variable is not set or empty/);
    const both = sink();
    expect(
      await runProvisionCommand(argvWith(['--token', 't', '--token-env', 'BEE_TOKEN']), {
        stdout: sink().stream,
        stderr: both.stream,
        env: {},
      }),
    ).toBe(2);
    expect(both.text()).toMatch(/give one of --token T or --token-env VAR/);
  });

  it('--keep-wifi with Wi-Fi flags is a usage error; --help documents it', async () => {
    const out = sink();
    const code = await runProvisionCommand(
      [
        '--port',
        '/dev/x',
        '--keep-wifi',
        '--wifi-ssid',
        'S',
        '--broker',
        'mqtt://h',
        '--token',
        't',
        '--channel',
        'ch',
        '--resource',
        'res',
        '--json',
      ],
      { stdout: out.stream, stderr: sink().stream },
    );
    expect(code).toBe(2);
    expect(JSON.parse(out.text())).toMatchObject({
      ok: false,
      code: 'usage',
      error: expect.stringMatching(/--keep-wifi sends MQTT settings only/),
    });

    const missing = sink();
    const noWifi = await runProvisionCommand(
      ['--port', '/dev/x', '--broker', 'mqtt://h', '--token', 't', '--channel', 'ch', '--resource', 'res'],
      { stdout: sink().stream, stderr: missing.stream },
    );
    expect(noWifi).toBe(2);
    expect(missing.text()).toMatch(/--wifi-ssid is required \(or --keep-wifi/);

    const help = sink();
    expect(await runProvisionCommand(['--help'], { stdout: help.stream })).toBe(0);
    expect(help.text()).toMatch(/--keep-wifi +MQTT settings only/);
  });
});

describe('apiary provision --profile: a device gets only a channel token', () => {
  // the app's profile store in a temp data dir, the keychain in memory; the sandbox stands in for Beebotte
  const dataDir = mkdtempSync(join(tmpdir(), 'apiary-provision-profiles-'));
  const secrets = new MemorySecretStore();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  beforeAll(async () => {
    if (!broker.account) return;
    const store = new ProfileStore(join(dataDir, 'profiles.json'));
    const add = async (id: string, input: Parameters<typeof normalizeProfile>[0], secret: string) => {
      store.put(normalizeProfile(input, id));
      await secrets.set(accountFor(id), secret);
    };
    await add(
      'keys',
      { name: 'keys', kind: 'beebotte', credentialType: 'secretKey', apiKey: broker.account.apiKey },
      broker.account.secretKey,
    );
    await add('iam', { name: 'iam', kind: 'beebotte', credentialType: 'iamToken' }, broker.account.iamToken);
    await add('chan', { name: 'chan', kind: 'beebotte', credentialType: 'channelToken' }, broker.token);
  });
  const resolve = (name: string, channel: string) =>
    resolveProfileForDevice(name, channel, { dataDir, secrets, api: broker.account!.http });
  /** --profile NAME, with the resolved broker moved to the sandbox's address (the credential stays as resolved) */
  async function provisionWith(port: string, name: string) {
    const out = sink();
    const err = sink();
    const resolveProfile: ProvisionDeps['resolveProfile'] = async (n, c) => {
      const { ca: _ca, ...resolved } = await resolve(n, c);
      return { ...resolved, url: broker.url };
    };
    const argv = ['--port', port, '--wifi-ssid', 'Home', '--wifi-password', 'x', '--profile', name];
    argv.push('--channel', broker.channel, '--resource', broker.resource, '--wait-first-message', '10', '--json');
    const code = await runProvisionCommand(argv, { resolveProfile, stdout: out.stream, stderr: err.stream });
    return {
      code,
      result: JSON.parse(out.text().trim().split('\n').at(-1) ?? 'null') as Record<string, unknown>,
      stderr: err.text(),
    };
  }

  it('a secret-key profile: the channel token fetched over REST, never the secret key (sandbox only)', async (ctx) => {
    if (!broker.account) ctx.skip();
    expect(await resolve('keys', broker.channel)).toMatchObject({
      url: 'mqtts://mqtt.beebotte.com:8883',
      username: broker.token,
      password: '',
    });
    const { pair, sim } = await device(['--name', 'Keyed']);
    const run = await provisionWith(pair.a, 'keys');
    expect(run.result).toMatchObject({ ok: true, firstMessage: { topic: `${broker.channel}/${broker.resource}` } });
    expect(run.code).toBe(0);
    for (const text of [run.stderr, JSON.stringify(run.result), sim.output()])
      expect(text).not.toContain(broker.account!.secretKey);
    // a channel that does not exist: no token to give, said before anything is written to the board
    await expect(resolve('keys', 'nochannel')).rejects.toThrow(
      /holds the account secret key, and a device gets only a channel token: fetching channel nochannel's token over REST failed/,
    );
  });

  it('an IAM token without admin rights is refused, pointing to --token; a channel-token profile gives its own (sandbox only)', async (ctx) => {
    if (!broker.account) ctx.skip();
    const { pair } = await device();
    const run = await provisionWith(pair.a, 'iam');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /profile "iam": "iam" holds an IAM token, and a device gets only a channel token: .*--broker URL --token T/,
    );
    expect(run.stderr + JSON.stringify(run.result)).not.toContain(broker.account!.iamToken);
    expect(await resolve('chan', broker.channel)).toMatchObject({ username: broker.token, password: '' });
  });
});

describe('usage errors', () => {
  it('--profile without the app store exits 2 with the reason', async () => {
    const out = sink();
    const err = sink();
    const code = await runProvisionCommand(
      [
        '--port',
        '/dev/null',
        '--wifi-ssid',
        'S',
        '--wifi-password',
        'p',
        '--profile',
        'home',
        '--channel',
        'ch',
        '--resource',
        'res',
      ],
      { stdout: out.stream, stderr: err.stream },
    );
    expect(code).toBe(2);
    expect(err.text()).toContain("--profile needs the app's profile store");
    expect(out.text()).toBe('');
  });

  it('missing and conflicting flags exit 2, with one JSON line under --json', async () => {
    const out = sink();
    const code = await runProvisionCommand(
      ['--port', '/dev/x', '--wifi-ssid', 'S', '--wifi-password', 'p', '--wifi-password-stdin', '--json'],
      { stdout: out.stream, stderr: sink().stream },
    );
    expect(code).toBe(2);
    expect(JSON.parse(out.text())).toMatchObject({
      ok: false,
      code: 'usage',
      error: expect.stringMatching(/exactly one of --wifi-password/),
    });
  });
});
