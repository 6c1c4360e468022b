/**
 * Serial faults through the desk's pairing wizard (core.call, as the Devices screen does): the board is
 * unplugged during each step — its simulator exits without a word (--die-at) and its pty pair vanishes —
 * and a board that sprays garbage and half frames still pairs. After every fault: a clear error naming
 * what happened, the step reported 'failed', no port left open, and the core still answering.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayloads, PairingHandshake, ProvisionResultDTO } from '../../electron/api.js';
import { openPortPaths } from '../../electron/core/pairing/serial-port.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';

type Progress = EventPayloads['pairing.progress'];

let t: TestCore;
const progress: Progress[] = [];
/** pty pairs and simulators of the current test, stopped after each */
const started: { pty: PtyPair; sim?: Sim }[] = [];

beforeAll(async () => {
  t = await startTestCore({ demoSensor: false });
  t.core.bus.subscribe((event, data) => {
    if (event === 'pairing.progress') progress.push(data as Progress);
  });
});
afterEach(async () => {
  for (const d of started.splice(0)) {
    await d.sim?.stop();
    await d.pty.stop();
  }
});
afterAll(async () => {
  await t?.close();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;

const WIFI = ['--ssid', 'Hive', '--password', 'honeycomb'];
const provisionParams = (pairingId: string, waitSeconds = 20) => ({
  pairingId,
  ssid: 'Hive',
  wifiPassword: 'honeycomb',
  profileId: 'sandbox',
  channel: 'demo',
  resource: 'humidity',
  waitSeconds,
});

/** A board on a fresh pty. When its simulator exits (--die-at), the pty pair goes too: the USB device is gone. */
async function board(flags: string[]): Promise<{ pty: PtyPair; sim: Sim }> {
  const pty = await startPtyPair();
  const entry: { pty: PtyPair; sim?: Sim } = { pty };
  started.push(entry);
  const sim = await startSim(pty.b, [...WIFI, ...flags]);
  entry.sim = sim;
  sim.process.once('exit', () => pty.process.kill('SIGKILL'));
  return { pty, sim };
}

/** The progress events of one pairing (or of the last one started when the id is unknown). */
function stepsSince(mark: number): Progress[] {
  return progress.slice(mark);
}

/** What must hold after any fault: the failure reported, nothing held open, the core alive. */
async function expectCleanFailure(mark: number, step: Progress['step'], message: RegExp): Promise<void> {
  const events = stepsSince(mark);
  expect(events.map((e) => e.step)).toContain(step);
  const failed = events.filter((e) => e.step === 'failed');
  expect(failed).toHaveLength(1);
  expect(failed[0]!.message).toMatch(message);
  // the step that failed is the last one reported before 'failed'
  expect(events.at(-2)?.step).toBe(step);
  // the port is released (the close callback may trail the rejection by a tick)
  await waitFor(() => openPortPaths().length === 0, 'the serial port to be released', 5000);
  const info = await call<{ version: string }>('app.info', {});
  expect(info.version).toEqual(expect.any(String));
}

const UNPLUGGED = /disconnected \(unplugged or reset\?\)|disappeared \(unplugged\?\)/;

describe('unplugging the board during each pairing step', () => {
  it('open: the port vanished before start', async () => {
    const { pty, sim } = await board([]);
    await sim.stop();
    await pty.stop();
    const mark = progress.length;
    await expect(call('pairing.start', { port: pty.a })).rejects.toThrow(`${pty.a} does not exist: is the board plugged in?`);
    await expectCleanFailure(mark, 'open', /does not exist: is the board plugged in\?/);
  });

  it.each([
    ['handshake', /while detecting the device/],
    ['deviceinfo', /while reading device info/],
  ] as const)('handshake: unplugged at %s', async (dieAt, what) => {
    const { pty } = await board(['--die-at', dieAt]);
    const mark = progress.length;
    const err = await call('pairing.start', { port: pty.a }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toMatch(UNPLUGGED);
    expect(err?.message).toMatch(what);
    await expectCleanFailure(mark, 'handshake', UNPLUGGED);
  });

  it('scan: unplugged while scanning Wi-Fi networks', async () => {
    const { pty } = await board(['--die-at', 'scan']);
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    const mark = progress.length;
    await expect(call('pairing.scan', { pairingId: hello.pairingId })).rejects.toThrow(/while scanning Wi-Fi networks/);
    await expectCleanFailure(mark, 'scan', UNPLUGGED);
    // the pairing is gone with the board
    await expect(call('pairing.scan', { pairingId: hello.pairingId })).rejects.toThrow(/no longer open/);
  });

  it('wifi: unplugged while joining the network', async () => {
    const { pty } = await board(['--die-at', 'wifi']);
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    const mark = progress.length;
    await expect(call('pairing.provision', provisionParams(hello.pairingId))).rejects.toThrow(/while joining Wi-Fi "Hive"/);
    await expectCleanFailure(mark, 'wifi', UNPLUGGED);
  });

  it('mqtt: unplugged while taking the MQTT settings', async () => {
    const { pty } = await board(['--die-at', 'mqtt']);
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    const mark = progress.length;
    await expect(call('pairing.provision', provisionParams(hello.pairingId))).rejects.toThrow(/while sending MQTT settings/);
    await expectCleanFailure(mark, 'mqtt', UNPLUGGED);
  });

  it('first-message: unplugged after taking the settings, before it ever published', async () => {
    // publishes only after 60 s, so the one way out of the wait is noticing the unplug (or the timeout)
    const { pty } = await board(['--die-at', 'first-message', '--publish-ms', '60000']);
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    const mark = progress.length;
    await expect(call('pairing.provision', provisionParams(hello.pairingId, 8))).rejects.toThrow(UNPLUGGED);
    await expectCleanFailure(mark, 'first-message', UNPLUGGED);
  });
});

describe('after the faults, and with a noisy line', () => {
  it('pairs through garbage bytes and half frames on the line', async () => {
    const { pty, sim } = await board(['--garbage', '--name', 'Noisy Bee', '--publish-ms', '300']);
    const mark = progress.length;
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    expect(hello.device).toMatchObject({ name: 'Noisy Bee', firmware: 'Apiary' });
    expect(hello.apiaryExtension).toBe(true);
    const networks = await call<{ ssid: string }[]>('pairing.scan', { pairingId: hello.pairingId });
    expect(networks.map((n) => n.ssid)).toEqual(['Hive', 'Neighbours', 'CafeFree']);
    const result = await call<ProvisionResultDTO>('pairing.provision', provisionParams(hello.pairingId));
    expect(result.firstMessage?.topic).toBe('demo/humidity');
    expect(result.device).toMatchObject({ name: 'Noisy Bee', online: true });
    expect(stepsSince(mark).map((e) => e.step)).not.toContain('failed');
    expect(openPortPaths()).toEqual([]);
    // the noise really was there: the simulator is still running, it was never asked to die
    expect(sim.process.exitCode).toBeNull();
  });

  it('a new pairing on a fresh pty works after all the unplugs', async () => {
    const { pty } = await board(['--name', 'Bee After', '--publish-ms', '300']);
    const mark = progress.length;
    const hello = await call<PairingHandshake>('pairing.start', { port: pty.a });
    await call('pairing.scan', { pairingId: hello.pairingId });
    const result = await call<ProvisionResultDTO>('pairing.provision', provisionParams(hello.pairingId));
    expect(result.device).toMatchObject({ name: 'Bee After', channel: 'demo', resource: 'humidity' });
    expect(stepsSince(mark).map((e) => e.step)).toEqual(['open', 'handshake', 'handshake', 'scan', 'wifi', 'mqtt', 'first-message', 'done']);
    expect(openPortPaths()).toEqual([]);
  });
});
