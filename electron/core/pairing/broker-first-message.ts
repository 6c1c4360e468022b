/**
 * Waits for a device's first message with a short-lived MQTT subscriber of our own — what
 * `apiary provision --broker URL --token T` uses. (The app uses the profile's live session instead.)
 */
import mqtt, { type IClientOptions } from 'mqtt';
import { PairingError } from './errors.js';
import type { FirstMessage } from './flow.js';
import { describeConnectError } from '../session/errors.js';

export interface SubscriberTarget {
  url: string;
  username: string;
  password: string;
  /** PEM CA for mqtts with a private CA */
  ca?: string;
}

export function waitForFirstMessageOnBroker(
  target: SubscriberTarget,
  channel: string,
  resource: string,
  timeoutMs: number,
  signal?: AbortSignal,
  /** the timeout counts from when this resolves (the device's MQTT step is done); default: now */
  armed: Promise<void> = Promise.resolve(),
): Promise<FirstMessage> {
  const topic = `${channel}/${resource}`;
  let host = target.url;
  try {
    host = new URL(target.url).host;
  } catch {
    // keep the raw text; mqtt.connect reports the problem below
  }
  const options: IClientOptions = {
    clientId: `apiary-pair-${Math.random().toString(16).slice(2, 10)}`,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    protocolVersion: 4,
    clean: true,
  };
  if (target.username) options.username = target.username;
  if (target.password) options.password = target.password;
  if (target.ca) options.ca = target.ca;

  return new Promise<FirstMessage>((resolve, reject) => {
    let settled = false;
    let client: ReturnType<typeof mqtt.connect> | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (err: PairingError | null, msg?: FirstMessage) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      client?.end(true);
      if (err) reject(err);
      else resolve(msg!);
    };
    const onAbort = () => finish(new PairingError('closed', 'stopped waiting for the first message'));
    void armed.then(() => {
      if (settled) return;
      timer = setTimeout(
        () =>
          finish(
            new PairingError(
              'first-message-timeout',
              `no message on ${topic} within ${Math.round(timeoutMs / 1000)} s: check that the device's token can write to channel ${channel} and that it can reach the broker`,
            ),
          ),
        timeoutMs,
      );
    });
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort);

    try {
      client = mqtt.connect(target.url, options);
    } catch (err) {
      return finish(new PairingError('broker', `cannot watch ${topic}: ${describeConnectError(err, host, 'check the token')}`));
    }
    client.on('error', (err) =>
      finish(new PairingError('broker', `cannot watch ${topic}: ${describeConnectError(err, host, 'check the token')}`)),
    );
    client.on('connect', () => {
      client?.subscribe(topic, { qos: 0 }, (err, granted) => {
        const refused = granted?.some((g) => g.qos === 0x80);
        if (err || refused) {
          finish(new PairingError('broker', `the broker refused a subscription to ${topic}: check the token's rights`));
        }
      });
    });
    client.on('message', (t, payload) => {
      if (t !== topic) return;
      const text = payload.toString('utf8');
      let value: unknown = text;
      try {
        value = JSON.parse(text);
      } catch {
        // not JSON: Beebotte relays such payloads byte for byte; keep the text
      }
      finish(null, { topic: t, payload: value, receivedAt: Date.now() });
    });
  });
}
