/** The broker as a device must reach it: its address from a URL, and the Beebotte credential rule. */
import { beebotteUsername } from '../beebotte/credentials.js';
import { PairingError } from './errors.js';

/** The broker as the device must reach it, and the credential it connects with. */
export interface DeviceBroker {
  /** mqtt://host[:port] or mqtts://host[:port] (also tcp://, ssl://, tls://) */
  url: string;
  username: string;
  password: string;
}

/** The Beebotte rule: `token_…` and `iamtkn_…` as they are, other tokens `token:<token>`; password blank. */
export function credentialsForToken(token: string): { username: string; password: string } {
  return { username: beebotteUsername('channelToken', token), password: '' };
}

/**
 * Host, port and TLS for a device's MQTT settings (the CLI's connection flags parse a URL for the app's
 * own connection: that is commands/mqtt-flags.ts). Throws a PairingError 'bad-input' that says what to use.
 */
export function parseDeviceBrokerUrl(url: string): { host: string; port: number; tls: boolean } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PairingError('bad-input', `"${url}" is not a broker URL: use mqtt://host:1883 or mqtts://host:8883`);
  }
  const scheme = u.protocol.replace(/:$/, '');
  const tls = ['mqtts', 'ssl', 'tls'].includes(scheme);
  if (!tls && !['mqtt', 'tcp'].includes(scheme)) {
    throw new PairingError('bad-input', `a device connects over mqtt:// or mqtts://, not ${scheme}://`);
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new PairingError('bad-input', `"${url}" has no host`);
  return { host, port: u.port ? Number(u.port) : tls ? 8883 : 1883, tls };
}
