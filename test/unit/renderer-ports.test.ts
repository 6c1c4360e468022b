import { describe, expect, it } from 'vitest';
import type { KnownDevice, SerialPortDTO } from '../../electron/api.js';
import {
  BAUD_RATES,
  DEFAULT_BAUD,
  listedPorts,
  portOf,
  vidPid,
  withoutUsbIdentity,
} from '../../renderer/src/views/devices/ports.js';

const device = (extra: Partial<KnownDevice>): KnownDevice =>
  ({ id: 'd1', name: 'Bee', channel: 'home', resource: 'temp', ...extra }) as KnownDevice;
const port = (path: string, extra: Partial<SerialPortDTO> = {}): SerialPortDTO => ({ path, ...extra });

describe('is a known device plugged in? (Re-provision is offered only then)', () => {
  const cp2102 = { vendorId: '10c4', productId: 'ea60' };

  it('finds it by its USB serial number, whatever path the OS gave it this time', () => {
    const ports = [
      port('/dev/ttyUSB0', { ...cp2102, serialNumber: 'AAA' }),
      port('/dev/ttyUSB1', { ...cp2102, serialNumber: 'BBB' }),
    ];
    expect(portOf(device({ ...cp2102, serialNumber: 'BBB' }), ports)?.path).toBe('/dev/ttyUSB1');
  });

  it('another board with the same bridge but another serial number is not it', () => {
    expect(
      portOf(device({ ...cp2102, serialNumber: 'BBB' }), [port('/dev/ttyUSB0', { ...cp2102, serialNumber: 'AAA' })]),
    ).toBeNull();
  });

  it('a serial number on another VID:PID is not it', () => {
    const ch340 = { vendorId: '1a86', productId: '7523' };
    expect(
      portOf(device({ ...cp2102, serialNumber: 'AAA' }), [port('/dev/ttyUSB0', { ...ch340, serialNumber: 'AAA' })]),
    ).toBeNull();
  });

  it('without a serial number, the VID:PID has to do (case does not matter)', () => {
    const listed = port('/dev/ttyACM0', { vendorId: '303A', productId: '1001' });
    expect(portOf(device({ vendorId: '303a', productId: '1001' }), [listed])).toBe(listed);
    expect(portOf(device({ vendorId: '303a', productId: '1001' }), [port('/dev/ttyUSB0', cp2102)])).toBeNull();
  });

  it('not plugged in: null; paired over a typed path with no USB identity: undefined (cannot tell)', () => {
    expect(portOf(device({ ...cp2102, serialNumber: 'AAA' }), [])).toBeNull();
    expect(portOf(device({}), [port('/tmp/pty/A')])).toBeUndefined();
  });

  it('shows VID:PID upper-case, and nothing when half of it is missing', () => {
    expect(vidPid(cp2102)).toBe('10C4:EA60');
    expect(vidPid({ vendorId: '10c4' })).toBe('');
  });
});

describe('which ports the Devices screen lists', () => {
  const ttyS0 = port('/dev/ttyS0');
  const ttyS1 = port('/dev/ttyS1', { manufacturer: 'PNP0501' });
  const esp32 = port('/dev/ttyUSB0', { vendorId: '10c4', productId: 'ea60', board: 'ESP32 (CP2102)' });
  const unknownUsb = port('/dev/ttyACM0', { vendorId: '1234', productId: '5678' });
  const serialOnly = port('/dev/ttyUSB1', { serialNumber: 'A9XYZ' });

  it('a motherboard UART (no USB identity) is not offered as "unknown board" unless all ports are shown', () => {
    const ports = [ttyS0, esp32, ttyS1, unknownUsb, serialOnly];
    expect(listedPorts(ports, false)).toEqual({ shown: [esp32, unknownUsb, serialOnly], hidden: 2 });
    expect(listedPorts(ports, true)).toEqual({ shown: ports, hidden: 0 });
  });

  it('a USB adapter Apiary does not know is still listed: only a port with no USB identity at all is hidden', () => {
    expect(withoutUsbIdentity(unknownUsb)).toBe(false);
    expect(withoutUsbIdentity(serialOnly)).toBe(false);
    expect(withoutUsbIdentity(port('COM1', { manufacturer: '(Standard port types)' }))).toBe(true);
  });

  it('offers the Improv rate by default among the common baud rates', () => {
    expect(DEFAULT_BAUD).toBe(115200);
    expect(BAUD_RATES).toContain(DEFAULT_BAUD);
    expect([...BAUD_RATES]).toEqual([...BAUD_RATES].sort((a, b) => a - b));
  });
});
