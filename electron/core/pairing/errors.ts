/**
 * Pairing errors: a code to branch on (common/pairing-codes.ts, shared with the desk and the CLI) and a
 * message a user can act on. Messages never carry a password or token: they name the port, the SSID, the
 * step, and what to check.
 */
import type { PairingErrorCode } from '../../common/pairing-codes.js';
import { ImprovErrorCode, errorName } from './improv-codec.js';

export type { PairingErrorCode } from '../../common/pairing-codes.js';

export class PairingError extends Error {
  override readonly name = 'PairingError';
  constructor(
    readonly code: PairingErrorCode,
    message: string,
  ) {
    super(message);
  }
  /** the device's last log lines, when the failure came before a caller could ask the client for them */
  deviceLog?: string[];
}

/** Any thrown value as a PairingError, keeping codes we set ourselves. */
export function asPairingError(err: unknown, fallback: PairingErrorCode = 'port-failed'): PairingError {
  if (err instanceof PairingError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PairingError(fallback, message);
}

/** A device's Improv error frame while an RPC was waiting, in words. */
export function deviceError(code: number, command: number, what: string): PairingError {
  const rpc = `0x${command.toString(16).padStart(2, '0')}`;
  const map: Record<number, [PairingErrorCode, string]> = {
    [ImprovErrorCode.UnknownRpc]: ['unknown-rpc', `the firmware does not know RPC ${rpc} (unknown RPC) while ${what}`],
    [ImprovErrorCode.InvalidRpc]: [
      'invalid-rpc',
      `the device rejected RPC ${rpc} as invalid (bad checksum or data) while ${what}`,
    ],
    [ImprovErrorCode.UnableToConnect]: ['unable-to-connect', `the device was unable to connect while ${what}`],
    [ImprovErrorCode.BadHostname]: ['bad-hostname', `the device rejected the hostname: use letters, digits and '-'`],
  };
  const [c, m] = map[code] ?? ['device-error', `the device reported "${errorName(code)}" while ${what}`];
  return new PairingError(c, m);
}

/** A failed write to the port while doing `what`. */
export function writeError(err: unknown, what: string): PairingError {
  if (err instanceof PairingError && err.code === 'disconnected') {
    return new PairingError('disconnected', `the device disconnected (unplugged or reset?) while ${what}`);
  }
  if (err instanceof PairingError) return err;
  return new PairingError('port-failed', `cannot write to the device: ${err instanceof Error ? err.message : String(err)}`);
}
