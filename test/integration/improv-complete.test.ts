/**
 * The rest of Improv serial against the device simulator on a socat pty pair, over the real serialport
 * binding: identify (request state, 0x02) with the device's "next URL", device info, scan, hostname and
 * device name, and Wi-Fi on its own.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ImprovClient } from '../../electron/core/pairing/improv-client.js';
import { openPortPaths, openSerialPort } from '../../electron/core/pairing/serial-port.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';

const running: { pair: PtyPair; sim?: Sim; client?: ImprovClient }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    await r.client?.close().catch(() => undefined);
    await r.sim?.stop();
    await r.pair.stop();
  }
});

async function board(flags: string[] = []): Promise<{ client: ImprovClient; sim: Sim }> {
  const pair = await startPtyPair();
  const entry: (typeof running)[number] = { pair };
  running.push(entry);
  entry.sim = await startSim(pair.b, ['--ssid', 'Hive', '--password', 'honeycomb', '--name', 'Bee 7', ...flags]);
  const port = await openSerialPort(pair.a, { dtr: false, rts: false, bootDelayMs: 0 });
  entry.client = new ImprovClient(port, { timeouts: { provisionedGraceMs: 500 } });
  return { client: entry.client, sim: entry.sim };
}

describe('Improv over a pty', () => {
  it('identify: a board without Wi-Fi is "ready" and names no page; once on Wi-Fi it names its page', async () => {
    const { client, sim } = await board();
    expect(await client.detect()).toBe('ready');
    expect(await client.identify()).toEqual({ state: 'ready' });

    const joined = await client.sendWifi('Hive', 'honeycomb');
    expect(joined).toEqual({ redirectUrl: 'http://192.168.4.23/' });
    expect(await client.identify()).toEqual({ state: 'provisioned', url: 'http://192.168.4.23/' });
    expect(client.deviceUrl).toBe('http://192.168.4.23/');
    expect(sim.output()).toContain('device-sim: rpc 0x02');
  });

  it('device info, scan, hostname and device name (read and set)', async () => {
    const { client } = await board();
    await client.detect();
    expect(await client.deviceInfo()).toEqual({ firmware: 'Apiary', version: '1.0.0', chip: 'ESP32', name: 'Bee 7' });
    const networks = await client.scanNetworks();
    expect(networks.map((n) => n.ssid)).toEqual(['Hive', 'Neighbours', 'CafeFree']);
    expect(networks.find((n) => n.ssid === 'CafeFree')?.secured).toBe(false);

    expect(await client.hostname()).toBe('apiary-sim');
    expect(await client.hostname('bee-seven')).toBe('bee-seven');
    expect(await client.hostname()).toBe('bee-seven');
    await expect(client.hostname('not a hostname!')).rejects.toMatchObject({ code: 'bad-hostname' });

    expect(await client.deviceName()).toBe('Bee 7');
    expect(await client.deviceName('Bee Seven')).toBe('Bee Seven');
    expect((await client.deviceInfo()).name).toBe('Bee Seven');
  });

  it('re-provisions Wi-Fi alone: a wrong password is refused in words, the right one names the page', async () => {
    const { client } = await board();
    await client.detect();
    await expect(client.sendWifi('Hive', 'wrong')).rejects.toMatchObject({
      code: 'unable-to-connect',
      message: 'device could not join "Hive": check the password',
    });
    expect(await client.identify()).toEqual({ state: 'ready' });
    expect(await client.sendWifi('Hive', 'honeycomb')).toEqual({ redirectUrl: 'http://192.168.4.23/' });
    await client.close();
    expect(openPortPaths()).toEqual([]);
  });
});
