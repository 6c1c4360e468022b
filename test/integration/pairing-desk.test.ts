/**
 * The desk's pairing wizard through the contract (what the Devices screen calls): a simulated board on a
 * socat pty, provisioned onto the embedded sandbox; the first message arrives through the app's own session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads, KnownDevice, PairingHandshake, ProvisionResultDTO, WifiNetworkDTO } from '../../electron/api.js';
import { startTestCore, type TestCore } from '../tools/core-fixture.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import { openPortPaths } from '../../electron/core/pairing/serial-port.js';

let t: TestCore;
let pty: PtyPair;
let sim: Sim;
const steps: string[] = [];

beforeAll(async () => {
  t = await startTestCore({ demoSensor: false });
  t.core.bus.subscribe((event, data) => {
    if (event === 'pairing.progress') steps.push((data as EventPayloads['pairing.progress']).step);
  });
  pty = await startPtyPair();
  sim = await startSim(pty.b, ['--ssid', 'Hive', '--password', 'honeycomb', '--name', 'Bee 7', '--publish-ms', '300']);
});
afterAll(async () => {
  await sim?.stop();
  await pty?.stop();
  await t?.close();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;

describe('pairing from the desk', () => {
  it('handshakes, scans, provisions, and sees the first message through the sandbox session', async () => {
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    expect(hello.device.name).toBe('Bee 7');
    expect(hello.apiaryExtension).toBe(true);

    const networks = await call<WifiNetworkDTO[]>('pairing.scan', { pairingId: hello.pairingId });
    expect(networks.length).toBeGreaterThan(0);

    const result = await call<ProvisionResultDTO>('pairing.provision', {
      pairingId: hello.pairingId,
      ssid: 'Hive',
      wifiPassword: 'honeycomb',
      profileId: 'sandbox',
      channel: 'demo',
      resource: 'humidity',
      waitSeconds: 30,
    });
    expect(result.firstMessage?.topic).toBe('demo/humidity');
    expect(result.device).toMatchObject({ name: 'Bee 7', channel: 'demo', resource: 'humidity', online: true });
    expect(steps).toEqual(expect.arrayContaining(['open', 'handshake', 'scan', 'wifi', 'mqtt', 'first-message', 'done']));

    const devices = await call<KnownDevice[]>('devices.list', {});
    expect(devices.map((d) => d.name)).toContain('Bee 7');
    expect(openPortPaths()).toEqual([]); // the port is released after pairing
    expect(JSON.stringify(result)).not.toContain(t.core.services.sandbox!.demo!.token);
  });

  it('a wrong Wi-Fi password fails at the Wi-Fi step with the device\'s reason', async () => {
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    await expect(
      call('pairing.provision', {
        pairingId: hello.pairingId,
        ssid: 'Hive',
        wifiPassword: 'wrong-password',
        profileId: 'sandbox',
        channel: 'demo',
        resource: 'humidity',
        waitSeconds: 10,
      }),
    ).rejects.toThrow(/could not join "Hive": check the password/);
    expect(openPortPaths()).toEqual([]);
  });

  it('a pairing that no longer exists is a clear error', async () => {
    await expect(call('pairing.scan', { pairingId: 'gone' })).rejects.toThrow(/no longer open/);
  });
});
