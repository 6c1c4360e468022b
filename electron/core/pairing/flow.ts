/**
 * The provisioning flow: open → handshake (device info) → scan (optional) → Wi-Fi → MQTT (Apiary 0x80,
 * or Tasmota's console) → the device's first message on channel/resource. With `wifi: 'keep'` (re-provisioning
 * after a token regeneration) the scan and Wi-Fi steps are skipped: the board must already be on Wi-Fi
 * (Improv state "provisioned") and gets only the MQTT settings. Returns a value, never throws:
 * success with what the device said, or the step that failed with a message a user can act on.
 * The port is always closed before the function returns.
 */
import { randomBytes } from 'node:crypto';
import { ImprovClient, type DeviceInfo, type DuplexPort, type ImprovTimeouts, type WifiNetwork } from './improv-client.js';
import { openSerialPort, type OpenSerialOptions } from './serial-port.js';
import { PairingError, asPairingError, type PairingErrorCode } from './errors.js';
import { isTasmota, tasmotaSettings } from './tasmota.js';
import { beebotteUsername } from '../beebotte/credentials.js';
import { checkPublishTopic } from '../../common/beebotte-names.js';

export type ProvisionStep = 'open' | 'handshake' | 'scan' | 'wifi' | 'mqtt' | 'first-message';

/** The broker as the device must reach it, and the credential it connects with. */
export interface DeviceBroker {
  /** mqtt://host[:port] or mqtts://host[:port] (also tcp://, ssl://, tls://) */
  url: string;
  username: string;
  password: string;
}

export interface ProvisionOptions {
  portPath: string;
  serial?: OpenSerialOptions;
  /** the Wi-Fi to join, or 'keep': the board stays on the Wi-Fi it has and gets only the MQTT settings */
  wifi: { ssid: string; password: string } | 'keep';
  /** ask the device for the networks it sees (reported in progress and in the result; not with wifi 'keep') */
  scan?: boolean;
  broker: DeviceBroker;
  channel: string;
  resource: string;
  /** default: apiary-<random> */
  clientId?: string;
  /** how long to wait for the first message once MQTT is set; 0 = do not wait. Default 60 s. */
  firstMessageTimeoutMs?: number;
  timeouts?: Partial<ImprovTimeouts>;
}

export interface FirstMessage {
  topic: string;
  /** the JSON-decoded payload, or the text when it is not JSON */
  payload: unknown;
  receivedAt: number;
}

export interface ProvisionProgress {
  step: ProvisionStep;
  status: 'start' | 'done';
  /** "Apiary 1.0.0 on ESP32 (Bee 1)", "3 networks", … never a secret */
  detail?: string;
}

export interface ProvisionHooks {
  /**
   * Resolves with the first message published on channel/resource, or rejects once timeoutMs has passed
   * after `armed` resolved (a PairingError 'first-message-timeout' or 'broker' is best). Called before the
   * MQTT settings are sent, so no message is missed — subscribe at once — but `armed` resolves only when
   * the MQTT step is done: the device may take its whole MQTT timeout (40 s) to connect, and that time
   * is not the first message's. `signal` aborts it when an earlier step fails.
   */
  waitForFirstMessage(
    channel: string,
    resource: string,
    timeoutMs: number,
    signal: AbortSignal,
    armed: Promise<void>,
  ): Promise<FirstMessage>;
  onProgress?(progress: ProvisionProgress): void;
  onLog?(line: string): void;
  /** default: openSerialPort */
  openPort?(path: string, opts?: OpenSerialOptions): Promise<DuplexPort>;
}

export interface ProvisionedDevice {
  firmware: string;
  version: string;
  chip: string;
  name: string;
}

export type ProvisionResult =
  | {
      ok: true;
      port: string;
      device: ProvisionedDevice;
      /** null for Tasmota (it picks its own) */
      clientId: string | null;
      /** null when firstMessageTimeoutMs is 0 */
      firstMessage: FirstMessage | null;
      networks?: WifiNetwork[];
    }
  | {
      ok: false;
      port: string;
      step: ProvisionStep;
      code: PairingErrorCode;
      error: string;
      device?: ProvisionedDevice;
      /** the device's last log lines, for diagnosis */
      deviceLog?: string[];
    };

/** The Beebotte rule: `token_…` and `iamtkn_…` as they are, other tokens `token:<token>`; password blank. */
/**
 * An MQTT-only re-provision needs a board that is already on Wi-Fi: Improv state "provisioned".
 * Throws a PairingError 'no-wifi' that says what to do instead.
 */
export function requireWifiKept(state: string, device: string): void {
  if (state === 'provisioned') return;
  throw new PairingError(
    'no-wifi',
    `${device} has no Wi-Fi yet (Improv state "${state}", not "provisioned"): it needs the full pairing with a Wi-Fi network, not MQTT settings only`,
  );
}

export function credentialsForToken(token: string): { username: string; password: string } {
  return { username: beebotteUsername('channelToken', token), password: '' };
}

export function parseBrokerUrl(url: string): { host: string; port: number; tls: boolean } {
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

function redact(line: string, secrets: string[]): string {
  let out = line;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('****');
  return out;
}

function describeDevice(d: ProvisionedDevice): string {
  return `${d.firmware} ${d.version} on ${d.chip} (${d.name})`;
}

export async function provisionDevice(opts: ProvisionOptions, hooks: ProvisionHooks): Promise<ProvisionResult> {
  let step: ProvisionStep = 'open';
  let device: ProvisionedDevice | undefined;
  let client: ImprovClient | undefined;
  let port: DuplexPort | undefined;
  const abort = new AbortController();
  const progress = (status: 'start' | 'done', detail?: string) =>
    hooks.onProgress?.(detail === undefined ? { step, status } : { step, status, detail });

  try {
    const topicProblem = checkPublishTopic(`${opts.channel}/${opts.resource}`);
    if (topicProblem) throw new PairingError('bad-input', topicProblem);
    const broker = parseBrokerUrl(opts.broker.url);

    progress('start', opts.portPath);
    port = await (hooks.openPort ?? openSerialPort)(opts.portPath, opts.serial);
    client = new ImprovClient(port, { timeouts: opts.timeouts, onLog: hooks.onLog });
    progress('done');

    step = 'handshake';
    progress('start');
    const state = await client.detect();
    const info: DeviceInfo = await client.deviceInfo();
    device = { firmware: info.firmware, version: info.version, chip: info.chip, name: info.name };
    const wifiToJoin = opts.wifi === 'keep' ? null : opts.wifi;
    if (!wifiToJoin) requireWifiKept(state, device.name);
    progress('done', `${describeDevice(device)}, ${state}`);

    let networks: WifiNetwork[] | undefined;
    if (wifiToJoin && opts.scan) {
      step = 'scan';
      progress('start');
      networks = await client.scanNetworks();
      const seen = networks.some((n) => n.ssid === wifiToJoin.ssid) ? '' : `; "${wifiToJoin.ssid}" not among them`;
      progress('done', `${networks.length} network(s)${seen}`);
    }

    if (wifiToJoin) {
      step = 'wifi';
      progress('start', `joining "${wifiToJoin.ssid}"`);
      const wifi = await client.sendWifi(wifiToJoin.ssid, wifiToJoin.password);
      progress('done', wifi.redirectUrl ? `joined, device at ${wifi.redirectUrl}` : 'joined');
    }

    // Subscribe before the device gets its MQTT settings, so its first publish cannot slip by; the
    // clock starts once the MQTT step is done (`arm`).
    const waitMs = opts.firstMessageTimeoutMs ?? 60_000;
    let first: Promise<FirstMessage> | null = null;
    let arm: () => void = () => undefined;
    const armed = new Promise<void>((resolve) => (arm = resolve));
    if (waitMs > 0) {
      first = hooks.waitForFirstMessage(opts.channel, opts.resource, waitMs, abort.signal, armed);
      first.catch(() => undefined); // handled below; avoid an unhandled rejection if MQTT fails first
    }

    step = 'mqtt';
    const topic = `${opts.channel}/${opts.resource}`;
    let clientId: string | null;
    if (isTasmota(device.firmware)) {
      const tasmota = tasmotaSettings(broker, opts.broker, opts.channel, opts.resource);
      progress('start', tasmota.detail);
      await client.sendConsoleLine(tasmota.line);
      clientId = null;
      progress('done', 'settings sent; Tasmota restarts and connects');
    } else {
      progress('start', `${broker.tls ? 'mqtts' : 'mqtt'}://${broker.host}:${broker.port}, topic ${topic}`);
      const sent = await client.setMqtt({
        ...broker,
        username: opts.broker.username,
        password: opts.broker.password,
        clientId: opts.clientId ?? `apiary-${randomBytes(4).toString('hex')}`,
        topic,
      });
      clientId = sent.clientId;
      progress('done', `connected as ${clientId}`);
    }

    arm();
    let firstMessage: FirstMessage | null = null;
    if (first) {
      step = 'first-message';
      progress('start', `waiting up to ${Math.round(waitMs / 1000)} s on ${topic}`);
      firstMessage = await first.catch((err: unknown) => {
        throw asPairingError(err, 'first-message-timeout');
      });
      progress('done', JSON.stringify(firstMessage.payload)?.slice(0, 120) ?? '');
    }

    const result: ProvisionResult = { ok: true, port: opts.portPath, device, clientId, firstMessage };
    if (networks) result.networks = networks;
    return result;
  } catch (err) {
    const e = asPairingError(err);
    const failed: ProvisionResult = { ok: false, port: opts.portPath, step, code: e.code, error: e.message };
    if (device) failed.device = device;
    // devices echo what they were sent (Tasmota prints MqttUser, which holds the token): never pass it on
    const log = client
      ?.recentLog()
      .map((line) => redact(line, [opts.broker.username, opts.broker.username.replace(/^token:/, ''), opts.broker.password]));
    if (log?.length) failed.deviceLog = log;
    return failed;
  } finally {
    abort.abort();
    // The client closes the port (and fails anything still waiting); without one, close the bare port.
    await (client ? client.close() : port?.close())?.catch(() => undefined);
  }
}
