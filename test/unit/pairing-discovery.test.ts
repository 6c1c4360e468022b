import { afterEach, describe, expect, it } from 'vitest';
// SerialPortMock wraps @serialport/binding-mock (whose ESM entry ships no types)
import { SerialPortMock } from 'serialport';
import { describePort, listPorts, watchPorts, type PortEvent, type RawPortInfo } from '../../electron/core/pairing/discovery.js';

const MockBinding = SerialPortMock.binding;
afterEach(() => MockBinding.reset());

describe('listPorts', () => {
  it('names known bridges from the mock binding, known boards first', async () => {
    MockBinding.createPort('/dev/ttyS9', { vendorId: undefined as unknown as string });
    MockBinding.createPort('/dev/ttyUSB0', { vendorId: '10c4', productId: 'EA60', manufacturer: 'Silicon Labs' });
    MockBinding.createPort('/dev/ttyACM0', { vendorId: '303a', productId: '1001' });
    const { ports, warning } = await listPorts(() => MockBinding.list());
    expect(warning).toBeUndefined();
    expect(ports.map((p) => [p.path, p.vidPid, p.board])).toEqual([
      ['/dev/ttyACM0', '303a:1001', 'ESP32-S3/C3/C6 (native USB)'],
      ['/dev/ttyUSB0', '10c4:ea60', 'ESP32 (CP2102)'],
      ['/dev/ttyS9', undefined, undefined],
    ]);
    expect(describePort(ports[1]!)).toBe('ESP32 (CP2102) on /dev/ttyUSB0');
  });

  it('recognizes CH340 and Arduino ids, with or without a 0x prefix', async () => {
    const { ports } = await listPorts(async () => [
      { path: '/dev/a', vendorId: '0x1a86', productId: '0x7523' },
      { path: '/dev/b', vendorId: '2341', productId: '43' },
    ]);
    expect(ports.map((p) => p.board)).toEqual(['ESP32/ESP8266 (CH340)', 'Arduino Uno']);
  });

  it('turns a missing udevadm into a warning instead of an error', async () => {
    const listing = await listPorts(() => Promise.reject(new Error('spawn udevadm ENOENT')));
    expect(listing.warning).toMatch(/udevadm is missing/);
    expect(Array.isArray(listing.ports)).toBe(true);
  });
});

describe('watchPorts', () => {
  it('reports plug and unplug between polls, not the ports present at start', async () => {
    let current: RawPortInfo[] = [{ path: '/dev/ttyS0' }];
    const events: PortEvent[] = [];
    const watcher = watchPorts({ lister: async () => current, intervalMs: 60_000, onEvent: (e) => events.push(e) });
    try {
      await watcher.poll();
      expect(events).toEqual([]);
      current = [...current, { path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60' }];
      await watcher.poll();
      expect(events).toEqual([{ kind: 'added', port: { path: '/dev/ttyUSB0', vidPid: '10c4:ea60', board: 'ESP32 (CP2102)' } }]);
      current = [{ path: '/dev/ttyS0' }];
      await watcher.poll();
      expect(events.map((e) => `${e.kind} ${e.port.path}`)).toEqual(['added /dev/ttyUSB0', 'removed /dev/ttyUSB0']);
    } finally {
      watcher.stop();
    }
  });

  it('runs the (costly) lister only when the cheap signature of /dev changes, and still reports the plug', async () => {
    let nodes = 'ttyS0';
    let listed = 0;
    let current: RawPortInfo[] = [{ path: '/dev/ttyS0' }];
    const events: PortEvent[] = [];
    const watcher = watchPorts({
      lister: async () => {
        listed++;
        return current;
      },
      signature: async () => nodes,
      intervalMs: 60_000,
      onEvent: (e) => events.push(e),
    });
    try {
      await watcher.poll();
      await watcher.poll();
      await watcher.poll();
      expect(listed).toBe(1); // at start only: nothing came or went
      nodes = 'ttyS0 ttyUSB0';
      current = [...current, { path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60' }];
      await watcher.poll();
      expect(listed).toBe(2);
      expect(events.map((e) => `${e.kind} ${e.port.path} ${e.port.board}`)).toEqual(['added /dev/ttyUSB0 ESP32 (CP2102)']);
      await watcher.poll();
      expect(listed).toBe(2);
    } finally {
      watcher.stop();
    }
  });

  it('polls on its interval and survives a failing lister', async () => {
    let calls = 0;
    const warnings: string[] = [];
    const watcher = watchPorts({
      lister: async () => {
        calls++;
        throw new Error('boom');
      },
      intervalMs: 5,
      onEvent: () => undefined,
      onWarning: (w) => warnings.push(w),
    });
    try {
      for (let i = 0; i < 100 && calls < 3; i++) await new Promise((r) => setTimeout(r, 10));
      expect(calls).toBeGreaterThanOrEqual(3);
      expect(warnings).toHaveLength(1); // the same warning is not repeated every poll
    } finally {
      watcher.stop();
    }
  });
});
