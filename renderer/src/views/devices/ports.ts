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
