import { describe, expect, it } from 'vitest';
import { credentialsForToken, parseDeviceBrokerUrl } from '../../electron/core/pairing/device-broker.js';
import {
  provisionDevice,
  type FirstMessage,
  type ProvisionHooks,
  type ProvisionOptions,
  type ProvisionProgress,
} from '../../electron/core/pairing/flow.js';
import { PairingError } from '../../electron/core/pairing/errors.js';
import { isTasmota, tasmotaBacklog, tasmotaBroker } from '../../electron/core/pairing/tasmota.js';
import type { RpcMessage } from '../../electron/core/pairing/improv-codec.js';
import { FakeDevice } from '../tools/device-sim/fake-device.js';

const fast = { detectIntervalMs: 20, detectTotalMs: 100, rpcMs: 300, wifiMs: 300, mqttMs: 300, provisionedGraceMs: 20 };

/** A well-behaved device; `firmware` decides whether it knows 0x80. */
function device(firmware = 'Apiary', wifiOk = true) {
  return new FakeDevice((rpc: RpcMessage, d) => answerLikeApiary(rpc, d, firmware, wifiOk));
}

function answerLikeApiary(rpc: RpcMessage, d: FakeDevice, firmware = 'Apiary', wifiOk = true): void {
  switch (rpc.command) {
    case 0x02:
      return d.state(0x02);
    case 0x03:
      return d.result(0x03, [firmware, '1.0.0', 'ESP32', 'Bee 1']);
    case 0x04:
      d.result(0x04, ['Home', '-50', 'YES']);
      return d.result(0x04, []);
    case 0x01:
      if (!wifiOk) return d.error(0x03);
      d.state(0x04);
      return d.result(0x01, ['http://10.0.0.2/']);
    case 0x80:
      return firmware === 'Apiary' ? d.result(0x80, [rpc.strings[5]!]) : d.error(0x02);
    case 0x81: // the Apiary firmware answers "get MQTT" (the extension probe); stock firmware does not know it
      return firmware === 'Apiary' ? d.result(0x81, ['', '', '', '', '', '', 'unset']) : d.error(0x02);
    default:
      return d.error(0x02);
  }
}

const options: ProvisionOptions = {
  portPath: '/dev/fake0',
  wifi: { ssid: 'Home', password: 'wifi-secret' },
  broker: { url: 'mqtts://mqtt.beebotte.com', ...credentialsForToken('token_abc') },
  channel: 'farm',
  resource: 'temperature',
  clientId: 'bee-1',
  firstMessageTimeoutMs: 1000,
  timeouts: fast,
};

function hooks(dev: FakeDevice, first?: () => Promise<FirstMessage>) {
  const progress: ProvisionProgress[] = [];
  const calls: { channel: string; resource: string; rpcsBefore: number; signal: AbortSignal }[] = [];
  const h: ProvisionHooks = {
    openPort: async () => dev,
    onProgress: (p) => progress.push(p),
    waitForFirstMessage: (channel, resource, _ms, signal) => {
      calls.push({ channel, resource, rpcsBefore: dev.received.length, signal });
      return first ? first() : Promise.resolve({ topic: `${channel}/${resource}`, payload: { data: 21.5 }, receivedAt: 1 });
    },
  };
  return { h, progress, calls };
}

describe('provisionDevice', () => {
  it('runs every step in order and returns what the device said', async () => {
    const dev = device();
    const { h, progress, calls } = hooks(dev);
    const result = await provisionDevice({ ...options, scan: true }, h);
    expect(result).toEqual({
      ok: true,
      port: '/dev/fake0',
      device: { firmware: 'Apiary', version: '1.0.0', chip: 'ESP32', name: 'Bee 1' },
      clientId: 'bee-1',
      firstMessage: { topic: 'farm/temperature', payload: { data: 21.5 }, receivedAt: 1 },
      networks: [{ ssid: 'Home', rssi: -50, secured: true }],
      deviceUrl: 'http://10.0.0.2/',
    });
    expect(progress.filter((p) => p.status === 'done').map((p) => p.step)).toEqual([
      'open',
      'handshake',
      'scan',
      'wifi',
      'mqtt',
      'first-message',
    ]);
    expect(JSON.stringify(progress)).not.toMatch(/wifi-secret|token_abc/);
    // the watcher starts before the MQTT settings go out, and is released at the end
    const setMqttIndex = dev.received.findIndex((r) => r.command === 0x80);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.rpcsBefore).toBe(setMqttIndex);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(dev.received[setMqttIndex]!.strings).toEqual([
      'mqtt.beebotte.com',
      '8883',
      '1',
      'token_abc',
      '',
      'bee-1',
      'farm/temperature',
    ]);
    expect(dev.closed).toBe(true);
  });

  it('sends Tasmota its MQTT settings as one console Backlog line: FullTopic in the channel, a rule publishing on channel/resource', async () => {
    const dev = device('Tasmota');
    const { h } = hooks(dev);
    const result = await provisionDevice(
      { ...options, broker: { url: 'mqtt://10.0.0.1:1883', username: 'token:legacy', password: '' } },
      h,
    );
    expect(result).toMatchObject({ ok: true, clientId: null });
    expect(dev.lines).toEqual([
      'Backlog MqttHost 10.0.0.1; MqttPort 1883; MqttUser token:legacy; MqttPassword 0; FullTopic farm/%topic%/%prefix%/; ' +
        'Rule3 ON Mqtt#Connected DO Publish farm/temperature {"data":"online"} ENDON; Rule3 1',
    ]);
    expect(dev.lines[0]).not.toMatch(/; Topic /); // Topic c/r would publish on tele/c/r/SENSOR
    expect(dev.received.some((r) => r.command === 0x80)).toBe(false);
  });

  it('gives Tasmota cleartext 1883 for Beebotte (stock Tasmota has no TLS) and refuses other TLS brokers', async () => {
    const dev = device('Tasmota');
    const { h, progress } = hooks(dev);
    expect(await provisionDevice(options, h)).toMatchObject({ ok: true }); // options: mqtts://mqtt.beebotte.com
    expect(dev.lines[0]).toContain('MqttHost mqtt.beebotte.com; MqttPort 1883;');
    expect(progress.find((p) => p.step === 'mqtt' && p.status === 'start')?.detail).toMatch(
      /cleartext: stock Tasmota has no TLS/,
    );

    const other = device('Tasmota');
    const result = await provisionDevice(
      { ...options, broker: { ...options.broker, url: 'mqtts://broker.example:8883' } },
      hooks(other).h,
    );
    expect(result).toMatchObject({ ok: false, step: 'mqtt', code: 'bad-input' });
    expect(result.ok ? '' : result.error).toMatch(/stock Tasmota has no MQTT over TLS/);
    expect(other.lines).toEqual([]);
  });

  it('keeps the token out of the device log it returns (Tasmota echoes MqttUser)', async () => {
    const dev = device('Tasmota');
    const write = dev.write.bind(dev);
    dev.write = async (buf) => {
      await write(buf);
      for (const line of dev.lines) {
        const user = /MqttUser (\S+);/.exec(line)?.[1];
        if (user) dev.send(`RSL: RESULT = {"MqttUser":"${user}"}\r\n`);
      }
    };
    const { h } = hooks(dev, () => Promise.reject(new PairingError('first-message-timeout', 'no message')));
    const result = await provisionDevice(
      { ...options, broker: { url: 'mqtt://10.0.0.1', username: 'token_sekrit123', password: '' } },
      h,
    );
    expect(result).toMatchObject({ ok: false, step: 'first-message' });
    expect(result.ok ? [] : result.deviceLog).toContain('RSL: RESULT = {"MqttUser":"****"}');
    expect(JSON.stringify(result)).not.toContain('sekrit123');
  });

  it('keeps the Wi-Fi password out of the device log it returns (a board may echo what it was sent)', async () => {
    const dev = device('Tasmota');
    const write = dev.write.bind(dev);
    dev.write = async (buf) => {
      await write(buf);
      // a chatty firmware logs the credentials it was given, as text after the frames
      if (dev.lines.length) dev.send(`wifi: joining Home with password 'wifi-secret'\r\n`);
    };
    const { h } = hooks(dev, () => Promise.reject(new PairingError('first-message-timeout', 'no message')));
    const result = await provisionDevice(options, h);
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? [] : result.deviceLog).toContain(`wifi: joining Home with password '****'`);
    expect(JSON.stringify(result)).not.toContain('wifi-secret');
  });

  it('listens before the MQTT settings go out, but starts the first-message clock only once the MQTT step is done', async () => {
    let connect: (() => void) | undefined;
    const dev = new FakeDevice((rpc, d) => {
      if (rpc.command === 0x80)
        connect = () => d.result(0x80, [rpc.strings[5]!]); // connects when the test says
      else answerLikeApiary(rpc, d);
    });
    let listening = false;
    let rpcsWhenArmed: number | undefined;
    const h: ProvisionHooks = {
      openPort: async () => dev,
      waitForFirstMessage: (channel, resource, _ms, _signal, armed) => {
        listening = true;
        return armed.then(() => {
          rpcsWhenArmed = dev.received.length;
          return { topic: `${channel}/${resource}`, payload: { data: 1 }, receivedAt: 1 };
        });
      },
    };
    const run = provisionDevice(options, h);
    for (let i = 0; i < 400 && !connect; i++) await new Promise((r) => setTimeout(r, 5));
    expect(connect).toBeDefined(); // 0x80 is out and unanswered (the device is "connecting")
    expect(listening).toBe(true); // already subscribed
    expect(rpcsWhenArmed).toBeUndefined(); // but the clock has not started
    connect!();
    expect(await run).toMatchObject({ ok: true, firstMessage: { payload: { data: 1 } } });
    expect(dev.received.at(-1)?.command).toBe(0x80);
    expect(rpcsWhenArmed).toBe(dev.received.length);
  });

  it('names the failed step, keeps the device info, and closes the port', async () => {
    const dev = device('Apiary', false);
    const { h } = hooks(dev);
    const result = await provisionDevice(options, h);
    expect(result).toEqual({
      ok: false,
      port: '/dev/fake0',
      step: 'wifi',
      code: 'unable-to-connect',
      error: 'device could not join "Home": check the password',
      device: { firmware: 'Apiary', version: '1.0.0', chip: 'ESP32', name: 'Bee 1' },
    });
    expect(dev.closed).toBe(true);
  });

  it('stock firmware joins Wi-Fi but never gets the MQTT credentials: the mqtt step fails with no-extension', async () => {
    const dev = device('ESPHome');
    const { h } = hooks(dev);
    const result = await provisionDevice(options, h);
    expect(result).toMatchObject({ ok: false, step: 'mqtt', code: 'no-extension' });
    expect(result.ok ? '' : result.error).toMatch(/ESPHome joined Wi-Fi but does not take MQTT settings over serial/);
    expect(dev.received.map((r) => r.command)).toContain(0x01);
    expect(dev.received.some((r) => r.command === 0x80)).toBe(false);
    expect(JSON.stringify(dev.received)).not.toContain('token_abc');
  });

  it('an unplug while waiting for the first message is reported as one, not as a timeout', async () => {
    const dev = device();
    const { h } = hooks(dev, () => new Promise<FirstMessage>(() => undefined)); // never publishes
    const run = provisionDevice(options, {
      ...h,
      onProgress: (p) => {
        if (p.step === 'first-message' && p.status === 'start') dev.unplug();
      },
    });
    expect(await run).toMatchObject({ ok: false, step: 'first-message', code: 'disconnected' });
    expect((await run).ok ? '' : ((await run) as { error: string }).error).toMatch(
      /disconnected \(unplugged or reset\?\) while waiting for its first message on farm\/temperature/,
    );
  });

  it('a silent device fails the first-message step with the hook error', async () => {
    const { h } = hooks(device(), () =>
      Promise.reject(new PairingError('first-message-timeout', 'no message on farm/temperature within 1 s')),
    );
    expect(await provisionDevice(options, h)).toMatchObject({
      ok: false,
      step: 'first-message',
      code: 'first-message-timeout',
      error: 'no message on farm/temperature within 1 s',
    });
  });

  it('does not wait for a message when the timeout is 0', async () => {
    const { h, calls } = hooks(device());
    expect(await provisionDevice({ ...options, firstMessageTimeoutMs: 0 }, h)).toMatchObject({ ok: true, firstMessage: null });
    expect(calls).toHaveLength(0);
  });

  it('refuses a bad topic or broker before opening the port', async () => {
    let opened = false;
    const h: ProvisionHooks = {
      openPort: async () => {
        opened = true;
        return device();
      },
      waitForFirstMessage: () => Promise.reject(new Error('unused')),
    };
    expect(await provisionDevice({ ...options, channel: 'a/b' }, h)).toMatchObject({
      ok: false,
      step: 'open',
      code: 'bad-input',
    });
    expect(await provisionDevice({ ...options, broker: { ...options.broker, url: 'wss://x' } }, h)).toMatchObject({
      ok: false,
      code: 'bad-input',
      error: 'a device connects over mqtt:// or mqtts://, not wss://',
    });
    expect(opened).toBe(false);
  });

  it('reports an open failure as the open step', async () => {
    const h: ProvisionHooks = {
      openPort: () => Promise.reject(new PairingError('port-busy', '/dev/fake0 is open in another program')),
      waitForFirstMessage: () => Promise.reject(new Error('unused')),
    };
    expect(await provisionDevice(options, h)).toMatchObject({ ok: false, step: 'open', code: 'port-busy' });
  });
});

describe('credentials and broker URLs', () => {
  it('applies the Beebotte user name rule, password blank', () => {
    expect(credentialsForToken('token_abc')).toEqual({ username: 'token_abc', password: '' });
    expect(credentialsForToken('iamtkn_xyz')).toEqual({ username: 'iamtkn_xyz', password: '' });
    expect(credentialsForToken('1234abcd')).toEqual({ username: 'token:1234abcd', password: '' });
  });

  it('parses mqtt and mqtts URLs with default ports', () => {
    expect(parseDeviceBrokerUrl('mqtts://mqtt.beebotte.com')).toEqual({ host: 'mqtt.beebotte.com', port: 8883, tls: true });
    expect(parseDeviceBrokerUrl('mqtt://127.0.0.1:1999')).toEqual({ host: '127.0.0.1', port: 1999, tls: false });
    expect(parseDeviceBrokerUrl('tcp://[::1]')).toEqual({ host: '::1', port: 1883, tls: false });
    expect(() => parseDeviceBrokerUrl('not a url')).toThrow(/not a broker URL/);
  });
});

describe('Tasmota console', () => {
  it('builds the Backlog line and refuses values that would break it', () => {
    const t = { host: 'h', port: 1883, username: 'u', password: 'p', channel: 'c', resource: 'r' };
    expect(tasmotaBacklog(t)).toBe(
      'Backlog MqttHost h; MqttPort 1883; MqttUser u; MqttPassword p; FullTopic c/%topic%/%prefix%/; ' +
        'Rule3 ON Mqtt#Connected DO Publish c/r {"data":"online"} ENDON; Rule3 1',
    );
    expect(() => tasmotaBacklog({ ...t, password: 'a;b' })).toThrow(/MqttPassword/);
    expect(() => tasmotaBacklog({ ...t, password: 'a;b' })).not.toThrow(/a;b/);
    expect(() => tasmotaBacklog({ ...t, channel: 'a/b' })).toThrow(/not a Beebotte name/);
    expect(() => tasmotaBacklog({ ...t, channel: 'c'.repeat(64), resource: 'r'.repeat(64), username: 'u'.repeat(300) })).toThrow(
      /more than its console takes/,
    );
    expect(tasmotaBroker({ host: 'mqtt.beebotte.com', port: 8883, tls: true })).toEqual({
      host: 'mqtt.beebotte.com',
      port: 1883,
      cleartextFallback: true,
    });
    expect(tasmotaBroker({ host: '127.0.0.1', port: 1999, tls: false })).toEqual({
      host: '127.0.0.1',
      port: 1999,
      cleartextFallback: false,
    });
    expect(() => tasmotaBroker({ host: 'x', port: 8883, tls: true })).toThrow(/no MQTT over TLS/);
    expect(isTasmota('Tasmota')).toBe(true);
    expect(isTasmota('ESPHome')).toBe(false);
  });
});
