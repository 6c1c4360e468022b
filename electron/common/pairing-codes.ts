/**
 * Why a pairing step failed, as a code the desk and the CLI branch on (never a regex on message text),
 * and a few words for each that both show above the detailed message. Pure: the renderer imports it.
 */
export const PAIRING_ERROR_CODES = [
  'port-busy', // "Cannot lock port": another program holds it
  'port-permission', // EACCES: not in the dialout group / missing driver
  'port-missing', // ENOENT: unplugged or wrong path
  'port-failed', // any other open/write failure
  'disconnected', // the port closed under us (unplugged, device reset)
  'no-answer', // no Improv answer to "request state"
  'timeout', // an RPC got no answer in time
  'unable-to-connect', // device error 0x03
  'unknown-rpc', // device error 0x02
  'invalid-rpc', // device error 0x01
  'bad-hostname', // device error 0x05
  'device-error', // any other device error
  'bad-answer', // an answer we cannot read
  'bad-input', // our caller's input cannot be sent (too long, forbidden characters)
  'no-wifi', // an MQTT-only re-provision of a board that is not on Wi-Fi (Improv state is not "provisioned")
  'no-extension', // the firmware lacks the Apiary MQTT extension (0x80/0x81): it never gets the credentials
  'no-mqtt', // a Wi-Fi-only re-provision of an Apiary board that has no MQTT settings to keep
  'closed', // the client was closed while a call was waiting
  'broker', // the host side cannot subscribe to watch for the first message
  'first-message-timeout', // the device never published
] as const;

export type PairingErrorCode = (typeof PAIRING_ERROR_CODES)[number];

const WORDS: Record<PairingErrorCode, string> = {
  'port-busy': 'Port in use',
  'port-permission': 'No permission for the port',
  'port-missing': 'Port not found',
  'port-failed': 'Port error',
  disconnected: 'Board disconnected',
  'no-answer': 'No Improv answer',
  timeout: 'No answer in time',
  'unable-to-connect': 'Could not connect',
  'unknown-rpc': 'Command not supported',
  'invalid-rpc': 'Command rejected',
  'bad-hostname': 'Hostname rejected',
  'device-error': 'Device error',
  'bad-answer': 'Unreadable answer',
  'bad-input': 'Settings cannot be sent',
  'no-wifi': 'Board has no Wi-Fi',
  'no-extension': 'No Apiary extension',
  'no-mqtt': 'Board has no MQTT settings',
  closed: 'Pairing cancelled',
  broker: 'Cannot watch the broker',
  'first-message-timeout': 'No first message',
};

/** A short title for a failure code ("Board disconnected"); the message says the rest. */
export function pairingErrorTitle(code: string): string {
  return (WORDS as Record<string, string>)[code] ?? 'Pairing failed';
}
