/**
 * A board on a port, opened and greeted: the Improv handshake (state, device info) and whether the firmware
 * takes MQTT settings over serial (the Apiary extension, asked with the harmless 0x81; Tasmota takes console
 * lines instead). The desk holds one open across its wizard's steps; the CLI opens one per run.
 */
import { ImprovClient } from './improv-client.js';
import type { DuplexPort, ImprovTimeouts } from './improv-types.js';
import type { ImprovStateName } from './improv-codec.js';
import { openSerialPort, type OpenSerialOptions } from './serial-port.js';
import { PairingError, asPairingError } from './errors.js';
import { isTasmota } from './tasmota.js';

export interface BoardInfo {
  firmware: string;
  version: string;
  chip: string;
  name: string;
}

export interface Board {
  portPath: string;
  port: DuplexPort;
  client: ImprovClient;
  /** the Improv state at the handshake */
  state: ImprovStateName;
  device: BoardInfo;
  /** the firmware knows the Apiary MQTT RPCs (0x80/0x81) */
  apiary: boolean;
  tasmota: boolean;
}

export interface OpenBoardOptions {
  serial?: OpenSerialOptions;
  timeouts?: Partial<ImprovTimeouts>;
  onLog?(line: string): void;
  /** default: openSerialPort */
  openPort?(path: string, opts?: OpenSerialOptions): Promise<DuplexPort>;
  /** called once the port is open, before the handshake: progress can say so */
  onOpened?(): void;
}

/** "Apiary 1.0.0 on ESP32 (Bee 1)" */
export function describeBoard(d: BoardInfo): string {
  return `${d.firmware} ${d.version} on ${d.chip} (${d.name})`;
}

/**
 * Opens the port and runs the handshake. Throws a PairingError; the port is closed when the handshake
 * fails. The caller closes a returned board with `board.client.close()`.
 */
export async function openBoard(portPath: string, opts: OpenBoardOptions = {}): Promise<Board> {
  const port = await (opts.openPort ?? openSerialPort)(portPath, opts.serial);
  const client = new ImprovClient(port, { ...(opts.timeouts ? { timeouts: opts.timeouts } : {}), ...(opts.onLog ? { onLog: opts.onLog } : {}) });
  try {
    opts.onOpened?.();
    const state = await client.detect();
    const info = await client.deviceInfo();
    const device = { firmware: info.firmware, version: info.version, chip: info.chip, name: info.name };
    const tasmota = isTasmota(info.firmware);
    const apiary = tasmota ? false : await client.supportsApiaryExtension();
    return { portPath, port, client, state, device, apiary, tasmota };
  } catch (err) {
    const e = asPairingError(err);
    e.deviceLog = client.recentLog();
    await client.close().catch(() => undefined);
    throw e;
  }
}

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

/**
 * A board that takes no MQTT settings over serial never gets the credentials (stock firmware would answer
 * 0x80 with "unknown RPC" only after reading them). Throws a PairingError 'no-extension'.
 */
export function requireMqttOverSerial(board: Board, wifiJoined: boolean): void {
  if (board.apiary || board.tasmota) return;
  throw new PairingError(
    'no-extension',
    wifiJoined
      ? `${board.device.firmware} joined Wi-Fi but does not take MQTT settings over serial (no Apiary extension): configure MQTT in its own UI, or flash the Apiary firmware`
      : `${board.device.firmware} does not take MQTT settings over serial (no Apiary extension): set the new token in its own UI`,
  );
}
