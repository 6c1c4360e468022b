/** Which port a known device is on: plain functions (no runes), shared by the Devices and Account screens. */
import type { KnownDevice, SerialPortDTO } from '../../../../electron/api';

/** "10c4:ea60" → "10C4:EA60"; absent → "" */
export function vidPid(d: { vendorId?: string; productId?: string }): string {
  return d.vendorId && d.productId ? `${d.vendorId}:${d.productId}`.toUpperCase() : '';
}

/**
 * Where a known device is plugged in now, from the port listing: matched by its USB serial number (and
 * VID:PID when both sides have one), else by VID:PID alone. null: not plugged in (or not listed);
 * undefined: the device has no USB identity (paired over a typed path, e.g. a pty), so Apiary cannot tell.
 */
export function portOf(d: KnownDevice, ports: SerialPortDTO[]): SerialPortDTO | null | undefined {
  const ids = vidPid(d);
  if (!d.serialNumber && !ids) return undefined;
  const match = ports.find((p) =>
    d.serialNumber ? p.serialNumber === d.serialNumber && (!ids || !vidPid(p) || vidPid(p) === ids) : vidPid(p) === ids,
  );
  return match ?? null;
}

/** Improv's rate, and what the port opens at unless the user picks another. */
export const DEFAULT_BAUD = 115200;
/** The rates boards commonly log and talk at, for the baud-rate picker (Improv boards use 115200). */
export const BAUD_RATES = [9600, 19200, 38400, 57600, 74880, 115200, 230400, 460800, 921600] as const;

/**
 * A port with no USB identity (no VID:PID, no serial number) and no recognized board: a motherboard UART
 * (/dev/ttyS0, COM1), a Bluetooth serial port. Boards Apiary pairs sit behind a USB bridge or native USB,
 * so these are listed only behind "Show all ports".
 */
export function withoutUsbIdentity(p: SerialPortDTO): boolean {
  return !p.board && !vidPid(p) && !p.serialNumber;
}

/** The ports to list, and how many "Show all ports" would add. */
export function listedPorts(ports: SerialPortDTO[], showAll: boolean): { shown: SerialPortDTO[]; hidden: number } {
  if (showAll) return { shown: ports, hidden: 0 };
  const shown = ports.filter((p) => !withoutUsbIdentity(p));
  return { shown, hidden: ports.length - shown.length };
}
