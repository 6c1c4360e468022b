/** The registry entry a desk pairing writes: a new device, or the known one a re-provision replaces. */
import { ApiError, type KnownDevice } from '../../api.js';
import type { BoardInfo } from '../pairing/board.js';
import type { DeviceRegistry } from './registry.js';

export interface UsbIdentity {
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

/**
 * The known device a re-provision replaces. Refused before the device is touched when it is unknown,
 * or when the board on the port has another USB serial number than the one remembered.
 */
export function replacedDevice(
  registry: DeviceRegistry,
  deviceId: string | undefined,
  portPath: string,
  usb: UsbIdentity | undefined,
): KnownDevice | undefined {
  if (deviceId === undefined) return undefined;
  const known = registry.list().find((d) => d.id === deviceId);
  if (!known) throw new ApiError('not_found', `no paired device ${deviceId} (forgotten?): pair the board as a new device`);
  const here = usb?.serialNumber;
  if (known.serialNumber && here && here !== known.serialNumber) {
    throw new ApiError(
      'invalid_params',
      `the board on ${portPath} is not ${known.name}: its USB serial number is ${here}, not ${known.serialNumber}`,
    );
  }
  return known;
}

export interface PairedFacts {
  info: BoardInfo;
  usb: UsbIdentity | undefined;
  profileId: string;
  channel: string;
  resource: string;
  clientId: string;
  lastSeen: number;
  replaces: KnownDevice | undefined;
  now: number;
  /** the IAM token of its own it was given (id and name only) */
  iamToken?: { id: string; name: string };
}

/** A device known by its USB serial number gets that id; otherwise its name and client id. */
export function knownDevice(f: PairedFacts): KnownDevice {
  return {
    id: f.replaces?.id ?? f.usb?.serialNumber ?? `${f.info.name}-${f.clientId}`.replace(/[^\w-]/g, '_').slice(0, 64),
    name: f.info.name,
    firmware: `${f.info.firmware} ${f.info.version}`,
    chip: f.info.chip,
    profileId: f.profileId,
    channel: f.channel,
    resource: f.resource,
    clientId: f.clientId,
    pairedAt: f.replaces?.pairedAt ?? f.now,
    lastSeen: f.lastSeen,
    online: true,
    ...(f.usb?.serialNumber ? { serialNumber: f.usb.serialNumber } : {}),
    ...(f.usb?.vendorId ? { vendorId: f.usb.vendorId } : {}),
    ...(f.usb?.productId ? { productId: f.usb.productId } : {}),
    ...(f.iamToken ? { iamToken: { ...f.iamToken } } : {}),
  };
}
