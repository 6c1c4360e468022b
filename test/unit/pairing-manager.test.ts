/**
 * The desk's pairing manager with a scripted device: held ports close after an idle period (injected
 * timers: no waiting), the first-message clock starts only when armed, and a device is never handed an
 * account credential.
 */
import { describe, expect, it } from 'vitest';
import type { EventPayloads, MessageDTO } from '../../electron/api.js';
import { EventBus } from '../../electron/core/events.js';
import { FirstMessageWaiters } from '../../electron/core/devices/session-first-message.js';
import {
  PAIRING_IDLE_MS,
  PairingManager,
  type PairingDeps,
  type PairingTimers,
} from '../../electron/core/devices/pairing-manager.js';
import type { DeviceRegistry } from '../../electron/core/devices/registry.js';
import type { SerialDuplex } from '../../electron/core/pairing/serial-port.js';
import type { Profile } from '../../electron/core/profiles/profile.js';
import type { RpcMessage } from '../../electron/core/pairing/improv-codec.js';
import { FakeDevice } from '../tools/device-sim/fake-device.js';

/** Timers that run only when the test says so. */
class ManualTimers implements PairingTimers {
  readonly pending = new Map<number, { fn: () => void; ms: number }>();
  private next = 1;
  set(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { fn, ms });
    return id;
  }
  clear(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  fireAll(): void {
    const due = [...this.pending.values()];
    this.pending.clear();
    for (const t of due) t.fn();
  }
}

function apiaryDevice(): FakeDevice & SerialDuplex {
  const dev = new FakeDevice((rpc: RpcMessage, d) => {
    switch (rpc.command) {
      case 0x02:
        return d.state(0x02);
      case 0x03:
        return d.result(0x03, ['Apiary', '1.0.0', 'ESP32', 'Bee 1']);
      case 0x04:
        d.result(0x04, ['Home', '-50', 'YES']);
        return d.result(0x04, []);
      case 0x81:
        return d.result(0x81, ['', '', '', '', '', '', 'unset']);
      case 0x01:
        d.state(0x04);
        return d.result(0x01, []);
      case 0x80:
        return d.result(0x80, [rpc.strings[5]!]);
      default:
        return d.error(0x02);
    }
  });
  Object.defineProperty(dev, 'path', { value: '/dev/fake0' });
  Object.defineProperty(dev, 'isOpen', { get: () => !dev.closed });
  return dev as FakeDevice & SerialDuplex;
}

const secretProfile: Profile = {
  id: 'acct',
  name: 'My account',
  kind: 'beebotte',
  port: 8883,
  tls: true,
  credentialType: 'secretKey',
  apiKey: 'api-key',
  protocolVersion: 4,
  verifyTls: true,
  subscriptions: [],
  autoConnect: false,
  secretMode: 'keychain',
  builtIn: false,
};

function manager(dev: FakeDevice & SerialDuplex, extra: Partial<PairingDeps> = {}) {
  const bus = new EventBus();
  const steps: EventPayloads['pairing.progress'][] = [];
  bus.subscribe((event, data) => {
    if (event === 'pairing.progress') steps.push(data as EventPayloads['pairing.progress']);
  });
  const timers = new ManualTimers();
  const registry = { upsert: () => undefined, list: () => [] } as unknown as DeviceRegistry;
  const mgr = new PairingManager({
    bus,
    registry,
    waiters: new FirstMessageWaiters(),
    profile: () => secretProfile,
    secret: async () => 'the-account-secret-key',
    watch: async () => undefined,
    openPort: async () => dev,
    listPorts: async () => ({ ports: [] }),
    timers,
    ...extra,
  });
  return { mgr, timers, steps };
}

const provisionParams = (pairingId: string, token?: string) => ({
  pairingId,
  ssid: 'Home',
  wifiPassword: 'pw',
  profileId: 'acct',
  channel: 'farm',
  resource: 'temp',
  waitSeconds: 1,
  ...(token ? { token } : {}),
});

describe('held pairing ports', () => {
  it('are closed after the idle period, with a progress message, and the pairing is gone', async () => {
    const dev = apiaryDevice();
    const { mgr, timers, steps } = manager(dev);
    const hello = await mgr.start('/dev/fake0');
    expect([...timers.pending.values()].map((t) => t.ms)).toEqual([PAIRING_IDLE_MS]);
    expect(PAIRING_IDLE_MS).toBe(5 * 60_000);

    timers.fireAll();
    for (let i = 0; i < 100 && !dev.closed; i++) await new Promise((r) => setTimeout(r, 1));
    expect(dev.closed).toBe(true);
    expect(steps.at(-1)).toMatchObject({
      pairingId: hello.pairingId,
      step: 'failed',
      message: expect.stringMatching(/idle for 5 min/),
    });
    await expect(mgr.scan(hello.pairingId)).rejects.toThrow(/no longer open/);
  });

  it('restart the idle clock after each call, and cancel it when the pairing ends', async () => {
    const dev = apiaryDevice();
    const { mgr, timers } = manager(dev);
    const hello = await mgr.start('/dev/fake0');
    const first = [...timers.pending.keys()];
    await mgr.scan(hello.pairingId);
    expect(timers.pending.size).toBe(1);
    expect([...timers.pending.keys()]).not.toEqual(first); // a fresh period
    await mgr.cancel(hello.pairingId);
    expect(timers.pending.size).toBe(0);
    expect(dev.closed).toBe(true);
  });
});

describe('the credential a device gets', () => {
  it('is never the account secret key: without a REST client the wizard asks for a channel token, and the port stays held', async () => {
    const dev = apiaryDevice();
    const { mgr, timers } = manager(dev);
    const hello = await mgr.start('/dev/fake0');
    await expect(mgr.provision(provisionParams(hello.pairingId))).rejects.toThrow(
      "My account holds the account secret key; a device gets only a channel token: type channel farm's token",
    );
    expect(dev.received.some((r) => r.command === 0x01 || r.command === 0x80)).toBe(false); // the device was not touched
    expect(dev.closed).toBe(false);
    expect(timers.pending.size).toBe(1); // still held, idle clock running
    await mgr.cancel(hello.pairingId);
  });

  it("is the chosen channel's token fetched over REST with the account credentials", async () => {
    const dev = apiaryDevice();
    const asked: string[] = [];
    const { mgr } = manager(dev, {
      rest: async () => ({
        canAdmin: true,
        channel: async (name: string) => {
          asked.push(name);
          return { name, label: '', description: '', ispublic: false, resources: [], token: 'token_farm_channel' };
        },
      }),
      waiters: {
        wait: async (): Promise<MessageDTO> => ({ topic: 'farm/temp' }) as MessageDTO,
      } as unknown as FirstMessageWaiters,
    });
    const hello = await mgr.start('/dev/fake0');
    await mgr.provision(provisionParams(hello.pairingId));
    expect(asked).toEqual(['farm']);
    const mqtt = dev.received.find((r) => r.command === 0x80)!;
    expect(mqtt.strings[3]).toBe('token_farm_channel');
    expect(JSON.stringify(dev.received)).not.toContain('the-account-secret-key');
  });

  it('refuses the account secret typed into the token field', async () => {
    const dev = apiaryDevice();
    const { mgr } = manager(dev);
    const hello = await mgr.start('/dev/fake0');
    await expect(mgr.provision(provisionParams(hello.pairingId, 'the-account-secret-key'))).rejects.toThrow(
      /not a channel token/,
    );
    await mgr.cancel(hello.pairingId);
  });
});

describe('first-message waiters', () => {
  it('listen at once but start the clock only when armed', async () => {
    const waiters = new FirstMessageWaiters();
    const abort = new AbortController();
    let arm!: () => void;
    const armed = new Promise<void>((r) => (arm = r));
    let outcome: string | undefined;
    const p = waiters.wait('p', 'farm/temp', 1, abort.signal, armed).then(
      (m) => (outcome = `message ${m.topic}`),
      (e: Error) => (outcome = e.message),
    );
    // far longer than the 1 ms timeout, and still waiting: the clock is not running yet
    await new Promise((r) => setTimeout(r, 30));
    expect(outcome).toBeUndefined();
    waiters.observe({ profileId: 'p', topic: 'farm/temp' } as MessageDTO);
    await p;
    expect(outcome).toBe('message farm/temp'); // a message before arming counts

    const late = waiters.wait('p', 'farm/temp', 1, abort.signal, armed); // armed already: the clock runs
    arm();
    await expect(late).rejects.toThrow(/no message on farm\/temp/);
  });
});
