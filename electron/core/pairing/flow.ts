/**
 * The one provisioning pipeline, for the desk's wizard and `apiary provision` alike: open → handshake
 * (device info, the Apiary extension) → scan (optional) → Wi-Fi → MQTT (Apiary 0x80, or Tasmota's console)
 * → the device's first message on channel/resource, raced against an unplug. A board without a way to
 * take MQTT settings over serial never gets the credentials. With `wifi: 'keep'` (re-provisioning after a
 * token regeneration) the scan and Wi-Fi steps are skipped: the board must already be on Wi-Fi (Improv
 * state "provisioned"). Returns a value, never throws: success with what the device said, or the step
 * that failed with a typed code and a message a user can act on.
 * Given a portPath it opens and always closes the port; given an open `board` (the desk holds one across
 * its wizard's steps) it leaves closing to the caller.
 */
import { randomBytes } from 'node:crypto';
import type { ImprovTimeouts, WifiNetwork } from './improv-types.js';
import type { OpenSerialOptions } from './serial-port.js';
import { PairingError, asPairingError, type PairingErrorCode } from './errors.js';
import { tasmotaSettings } from './tasmota.js';
import { parseDeviceBrokerUrl, type DeviceBroker } from './device-broker.js';
import { describeBoard, openBoard, requireMqttOverSerial, requireWifiKept, type Board, type OpenBoardOptions } from './board.js';
import { checkPublishTopic } from '../../common/beebotte-names.js';
import { redactSecrets } from '../../common/redact.js';

export type ProvisionStep = 'open' | 'handshake' | 'scan' | 'wifi' | 'mqtt' | 'first-message';

export interface ProvisionOptions {
  portPath: string;
  /** a board the caller already opened (and will close); default: open portPath here */
  board?: Board;
  serial?: OpenSerialOptions;
  /** the Wi-Fi to join, or 'keep': the board stays on the Wi-Fi it has and gets only the MQTT settings */
  wifi: { ssid: string; password: string } | 'keep';
  /** ask the device for the networks it sees (reported in progress and in the result; not with wifi 'keep') */
  scan?: boolean;
  /**
   * 'keep': Wi-Fi alone — the board keeps the MQTT settings it has (a new network, same broker); the broker,
   * channel and resource are then only where to watch for its first message. Default 'send'.
   */
  mqtt?: 'send' | 'keep';
  broker: DeviceBroker;
  /**
   * The device's credentials once its name is known (right after the handshake, before anything is sent):
   * `apiary provision --device-token` mints an IAM token named after it. Default: the broker's username and
   * password. Not called when the MQTT settings are kept. A failure stops the pairing (code 'broker').
   */
  credentialsFor?: (device: ProvisionedDevice) => Promise<{ username: string; password: string }>;
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
  openPort?: OpenBoardOptions['openPort'];
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
      /** the device's own page, when it named one after joining Wi-Fi (Improv's "next URL") */
      deviceUrl?: string;
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

/** Wi-Fi alone: an Apiary board must have MQTT settings to keep (0x81); others keep what their own UI set. */
async function requireMqttKept(board: Board): Promise<void> {
  if (!board.apiary) return;
  const stored = await board.client.getMqtt();
  if (stored.state !== 'unset') return;
  throw new PairingError(
    'no-mqtt',
    `${board.device.name} has no MQTT settings to keep: it needs the full pairing (Wi-Fi and MQTT), not Wi-Fi only`,
  );
}

export async function provisionDevice(opts: ProvisionOptions, hooks: ProvisionHooks): Promise<ProvisionResult> {
  let step: ProvisionStep = 'open';
  let board: Board | undefined = opts.board;
  let credentials = { username: opts.broker.username, password: opts.broker.password };
  const abort = new AbortController();
  const progress = (status: 'start' | 'done', detail?: string) =>
    hooks.onProgress?.(detail === undefined ? { step, status } : { step, status, detail });

  try {
    const topicProblem = checkPublishTopic(`${opts.channel}/${opts.resource}`);
    if (topicProblem) throw new PairingError('bad-input', topicProblem);
    const broker = parseDeviceBrokerUrl(opts.broker.url);
    const wifiToJoin = opts.wifi === 'keep' ? null : opts.wifi;

    if (!board) {
      progress('start', opts.portPath);
      board = await openBoard(opts.portPath, {
        ...(opts.serial ? { serial: opts.serial } : {}),
        ...(opts.timeouts ? { timeouts: opts.timeouts } : {}),
        ...(hooks.onLog ? { onLog: hooks.onLog } : {}),
        ...(hooks.openPort ? { openPort: hooks.openPort } : {}),
        onOpened: () => {
          progress('done');
          step = 'handshake';
          progress('start');
        },
      });
      if (!wifiToJoin) requireWifiKept(board.state, board.device.name);
      progress('done', `${describeBoard(board.device)}, ${board.state}`);
    } else if (!wifiToJoin) {
      // a board held since its handshake: ask again now, do not trust the state it had then
      step = 'mqtt';
      progress('start', 'MQTT settings only: checking that the board is on Wi-Fi');
      requireWifiKept((await board.client.identify()).state, board.device.name);
    }
    const { client, device } = board;
    const keepMqtt = opts.mqtt === 'keep';
    if (opts.credentialsFor && !keepMqtt) {
      try {
        credentials = await opts.credentialsFor(device);
      } catch (err) {
        throw new PairingError('broker', `no credentials for ${device.name}: ${(err as Error).message}`);
      }
    }
    if (keepMqtt && !wifiToJoin)
      throw new PairingError('bad-input', 'keeping both the Wi-Fi and the MQTT settings leaves nothing to send');
    if (keepMqtt) await requireMqttKept(board);
    if (!wifiToJoin) requireMqttOverSerial(board, false);

    let networks: WifiNetwork[] | undefined;
    if (wifiToJoin && opts.scan) {
      step = 'scan';
      progress('start');
      networks = await client.scanNetworks();
      const seen = networks.some((n) => n.ssid === wifiToJoin.ssid) ? '' : `; "${wifiToJoin.ssid}" not among them`;
      progress('done', `${networks.length} network(s)${seen}`);
    }

    let deviceUrl: string | undefined;
    if (wifiToJoin) {
      step = 'wifi';
      progress('start', `joining "${wifiToJoin.ssid}"`);
      deviceUrl = (await client.sendWifi(wifiToJoin.ssid, wifiToJoin.password)).redirectUrl;
      progress('done', deviceUrl ? `joined, device at ${deviceUrl}` : 'joined');
      step = 'mqtt';
      if (!keepMqtt) requireMqttOverSerial(board, true);
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
    if (keepMqtt) {
      progress('start', 'Wi-Fi only: the board keeps its MQTT settings');
      clientId = null;
      progress('done', 'kept');
    } else if (board.tasmota) {
      const tasmota = tasmotaSettings(broker, { ...opts.broker, ...credentials }, opts.channel, opts.resource);
      progress('start', tasmota.detail);
      await client.sendConsoleLine(tasmota.line);
      clientId = null;
      progress('done', 'settings sent; Tasmota restarts and connects');
    } else {
      progress('start', `${broker.tls ? 'mqtts' : 'mqtt'}://${broker.host}:${broker.port}, topic ${topic}`);
      const sent = await client.setMqtt({
        ...broker,
        username: credentials.username,
        password: credentials.password,
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
      progress('start', `waiting up to ${Math.round(waitMs / 1000)} s for the first message on ${topic}`);
      // an unplug now is an unplug, not a "did not publish" timeout with the wrong advice
      const unplugged = client.disconnected.then((e) => {
        throw new PairingError('disconnected', `${e.message} while waiting for its first message on ${topic}`);
      });
      firstMessage = await Promise.race([first, unplugged]).catch((err: unknown) => {
        throw asPairingError(err, 'first-message-timeout');
      });
      progress('done', JSON.stringify(firstMessage.payload)?.slice(0, 120) ?? '');
    }

    const result: ProvisionResult = { ok: true, port: opts.portPath, device, clientId, firstMessage };
    if (networks) result.networks = networks;
    // a board kept on its Wi-Fi named its page when asked for its state
    deviceUrl ??= client.deviceUrl;
    if (deviceUrl) result.deviceUrl = deviceUrl;
    return result;
  } catch (err) {
    const e = asPairingError(err);
    const failed: ProvisionResult = { ok: false, port: opts.portPath, step, code: e.code, error: e.message };
    if (board) failed.device = board.device;
    // devices echo what they were sent (Tasmota prints MqttUser, which holds the token): never pass it on
    const secrets = [opts.broker.username, opts.broker.username.replace(/^token:/, ''), opts.broker.password];
    secrets.push(credentials.username, credentials.username.replace(/^token:/, ''), credentials.password);
    if (opts.wifi !== 'keep') secrets.push(opts.wifi.password);
    const log = (board?.client.recentLog() ?? e.deviceLog)?.map((line) => redactSecrets(line, secrets));
    if (log?.length) failed.deviceLog = log;
    return failed;
  } finally {
    abort.abort();
    // a board opened here is closed here (the client closes the port and fails anything still waiting)
    if (board && !opts.board) await board.client.close().catch(() => undefined);
  }
}
