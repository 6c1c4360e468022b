/**
 * Pairing errors: a code to branch on and a message a user can act on. Messages never carry a
 * password or token: they name the port, the SSID, the step, and what to check.
 */
export type PairingErrorCode =
  | 'port-busy' // "Cannot lock port": another program holds it
  | 'port-permission' // EACCES: not in the dialout group / missing driver
  | 'port-missing' // ENOENT: unplugged or wrong path
  | 'port-failed' // any other open/write failure
  | 'disconnected' // the port closed under us (unplugged, device reset)
  | 'no-answer' // no Improv answer to "request state"
  | 'timeout' // an RPC got no answer in time
  | 'unable-to-connect' // device error 0x03
  | 'unknown-rpc' // device error 0x02 (stock firmware for 0x80/0x81)
  | 'invalid-rpc' // device error 0x01
  | 'bad-hostname' // device error 0x05
  | 'device-error' // any other device error
  | 'bad-answer' // an answer we cannot read
  | 'bad-input' // our caller's input cannot be sent (too long, forbidden characters)
  | 'no-wifi' // an MQTT-only re-provision of a board that is not on Wi-Fi (Improv state is not "provisioned")
  | 'closed' // the client was closed while a call was waiting
  | 'broker' // the host side cannot subscribe to watch for the first message
  | 'first-message-timeout'; // the device never published

export class PairingError extends Error {
  override readonly name = 'PairingError';
  constructor(
    readonly code: PairingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Any thrown value as a PairingError, keeping codes we set ourselves. */
export function asPairingError(err: unknown, fallback: PairingErrorCode = 'port-failed'): PairingError {
  if (err instanceof PairingError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PairingError(fallback, message);
}
