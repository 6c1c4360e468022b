import { describe, expect, it } from 'vitest';
import { ImprovClient, type ImprovTimeouts } from '../../electron/core/pairing/improv-client.js';
import { PairingError } from '../../electron/core/pairing/errors.js';
import { FakeDevice } from '../tools/device-sim/fake-device.js';

const fast: Partial<ImprovTimeouts> = {
  detectIntervalMs: 20,
  detectTotalMs: 100,
  rpcMs: 300,
  wifiMs: 300,
  mqttMs: 300,
  provisionedGraceMs: 20,
};

async function failure(p: Promise<unknown>): Promise<PairingError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PairingError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('ImprovClient', () => {
  it('detect resends "request state" until the device answers', async () => {
    let asked = 0;
    const dev = new FakeDevice((rpc, d) => {
      if (rpc.command === 0x02 && ++asked === 3) d.state(0x02);
    });
    const client = new ImprovClient(dev, { timeouts: fast });
    await expect(client.detect()).resolves.toBe('ready');
    expect(asked).toBe(3);
  });

  it('detect gives up with a baud-rate hint when nothing answers', async () => {
    const dev = new FakeDevice((_rpc, d) => d.send('\x00\xff garbage at the wrong baud\n'));
    const err = await failure(new ImprovClient(dev, { timeouts: fast }).detect());
    expect(err.code).toBe('no-answer');
    expect(err.message).toBe('no Improv answer: wrong baud rate (try 115200) or firmware without Improv');
  });

  it('reads device info through interleaved log lines', async () => {
    const lines: string[] = [];
    const dev = new FakeDevice((rpc, d) => {
      d.send('[I][app]: running\r\n');
      if (rpc.command === 0x03) d.result(0x03, ['Apiary', '1.2.0', 'ESP32', 'Bee 1']);
    });
    const client = new ImprovClient(dev, { timeouts: fast, onLog: (l) => lines.push(l) });
    await expect(client.deviceInfo()).resolves.toEqual({ firmware: 'Apiary', version: '1.2.0', chip: 'ESP32', name: 'Bee 1' });
    expect(lines).toEqual(['[I][app]: running']);
    expect(client.recentLog()).toEqual(['[I][app]: running']);
  });

  it('collects scan results until the empty one, strongest signal per SSID', async () => {
    const dev = new FakeDevice((rpc, d) => {
      if (rpc.command !== 0x04) return;
      d.result(0x04, ['Home', '-70', 'YES']);
      d.result(0x04, ['Cafe', '-40', 'NO']);
      d.result(0x04, ['Home', '-50', 'YES']);
      d.result(0x04, []);
    });
    await expect(new ImprovClient(dev, { timeouts: fast }).scanNetworks()).resolves.toEqual([
      { ssid: 'Home', rssi: -50, secured: true },
      { ssid: 'Cafe', rssi: -40, secured: false },
    ]);
  });

  it('send Wi-Fi: provisioning, provisioned, then the redirect URL', async () => {
    const dev = new FakeDevice((rpc, d) => {
      expect(rpc).toEqual({ command: 0x01, strings: ['Home', 'pw'] });
      d.error(0x00);
      d.state(0x03);
      d.state(0x04);
      d.result(0x01, ['http://10.0.0.9/']);
    });
    const client = new ImprovClient(dev, { timeouts: fast });
    await expect(client.sendWifi('Home', 'pw')).resolves.toEqual({ redirectUrl: 'http://10.0.0.9/' });
    expect(client.state).toBe('provisioned');
  });

  it('a device page that is not an http(s) link is dropped, and control characters never pass', async () => {
    for (const [named, shown] of [
      ['javascript:alert(1)', undefined],
      ['file:///etc/passwd', undefined],
      ['not a url', undefined],
      ['\u001b[31mhttp://10.0.0.9/', undefined],
      ['http://10.0.0.9/\u001b[2J', 'http://10.0.0.9/%1B[2J'],
    ] as const) {
      const dev = new FakeDevice((_rpc, d) => {
        d.state(0x04);
        d.result(0x01, [named]);
      });
      const client = new ImprovClient(dev, { timeouts: fast });
      const result = await client.sendWifi('Home', 'pw');
      expect([named, result.redirectUrl]).toEqual([named, shown]);
      expect([named, client.deviceUrl]).toEqual([named, shown]);
    }
  });

  it('send Wi-Fi resolves on "provisioned" when no URL follows', async () => {
    const dev = new FakeDevice((_rpc, d) => d.state(0x04));
    await expect(new ImprovClient(dev, { timeouts: fast }).sendWifi('Home', 'pw')).resolves.toEqual({});
  });

  it('send Wi-Fi error 0x03 names the SSID and the password, never the password itself', async () => {
    const dev = new FakeDevice((_rpc, d) => {
      d.state(0x03);
      d.error(0x03);
      d.state(0x02);
    });
    const err = await failure(new ImprovClient(dev, { timeouts: fast }).sendWifi('Home', 'hunter2'));
    expect(err.code).toBe('unable-to-connect');
    expect(err.message).toBe('device could not join "Home": check the password');
    expect(err.message).not.toContain('hunter2');
  });

  it('set MQTT sends the seven strings and answers the client id', async () => {
    const dev = new FakeDevice((rpc, d) => d.result(0x80, [rpc.strings[5]!]));
    const client = new ImprovClient(dev, { timeouts: fast });
    const settings = { host: 'h', port: 8883, tls: true, username: 'token_x', password: '', clientId: 'c1', topic: 'ch/res' };
    await expect(client.setMqtt(settings)).resolves.toEqual({ clientId: 'c1' });
    expect(dev.received[0]).toEqual({ command: 0x80, strings: ['h', '8883', '1', 'token_x', '', 'c1', 'ch/res'] });
  });

  it('stock firmware: 0x80 answers unknown RPC and the extension is detected as missing', async () => {
    const dev = new FakeDevice((_rpc, d) => d.error(0x02));
    const client = new ImprovClient(dev, { timeouts: fast });
    await expect(client.supportsApiaryExtension()).resolves.toBe(false);
    const settings = { host: 'h', port: 1883, tls: false, username: 'u', password: '', clientId: 'c', topic: 't/r' };
    const err = await failure(client.setMqtt(settings));
    expect(err.code).toBe('unknown-rpc');
    expect(err.message).toMatch(/unknown RPC 0x80/);
  });

  it('MQTT error 0x03 says the device cannot reach the broker', async () => {
    const dev = new FakeDevice((_rpc, d) => d.error(0x03));
    const settings = { host: 'broker.lan', port: 1883, tls: false, username: 'u', password: 'p', clientId: 'c', topic: 't/r' };
    const err = await failure(new ImprovClient(dev, { timeouts: fast }).setMqtt(settings));
    expect(err.message).toMatch(/could not connect to the MQTT broker at broker.lan:1883/);
  });

  it('keeps one RPC in flight: the second is written only after the first answered', async () => {
    const order: string[] = [];
    const dev = new FakeDevice((rpc, d) => {
      order.push(`write ${rpc.command}`);
      setTimeout(() => {
        order.push(`answer ${rpc.command}`);
        d.result(rpc.command, ['x']);
      }, 10);
    });
    const client = new ImprovClient(dev, { timeouts: fast });
    await Promise.all([client.hostname(), client.deviceName()]);
    expect(order).toEqual(['write 5', 'answer 5', 'write 6', 'answer 6']);
  });

  it('times out with the step named', async () => {
    const dev = new FakeDevice(() => undefined);
    const err = await failure(new ImprovClient(dev, { timeouts: fast }).hostname());
    expect(err.code).toBe('timeout');
    expect(err.message).toMatch(/reading the hostname/);
  });

  it('an unplugged port fails the call in flight and every later call', async () => {
    const dev = new FakeDevice((_rpc, d) => d.unplug());
    const client = new ImprovClient(dev, { timeouts: fast });
    const err = await failure(client.deviceInfo());
    expect(err.code).toBe('disconnected');
    expect(err.message).toMatch(/unplugged.*reading device info/);
    expect((await failure(client.hostname())).code).toBe('disconnected');
  });

  it('refuses an SSID too long to send, before writing anything', async () => {
    const dev = new FakeDevice(() => undefined);
    const err = await failure(new ImprovClient(dev, { timeouts: fast }).sendWifi('x'.repeat(300), 'pw'));
    expect(err.code).toBe('bad-input');
    expect(dev.received).toHaveLength(0);
  });

  it('close cancels the waiting call and closes the port', async () => {
    const dev = new FakeDevice(() => undefined);
    const client = new ImprovClient(dev, { timeouts: fast });
    const pending = failure(client.deviceInfo());
    await client.close();
    expect((await pending).code).toBe('closed');
    expect(dev.closed).toBe(true);
  });
});
