/** The shapes the Improv client speaks in: the port it needs, its timeouts, and what devices answer. */
import type { ImprovStateName } from './improv-codec.js';

/** The few things the client needs from a serial port. */
export interface DuplexPort {
  write(buf: Uint8Array): Promise<void>;
  onData(cb: (chunk: Uint8Array) => void): void;
  onClose(cb: (err?: Error) => void): void;
  close(): Promise<void>;
}

export interface ImprovTimeouts {
  /** resend "request state" this often while detecting */
  detectIntervalMs: number;
  /** give up detecting after this long */
  detectTotalMs: number;
  /** safety timeout of any RPC */
  rpcMs: number;
  /** devices try ~30 s before answering error 0x03 */
  wifiMs: number;
  /** Apiary 0x80: the device answers within 30 s */
  mqttMs: number;
  /** after "provisioned", how long to wait for the optional redirect-URL result */
  provisionedGraceMs: number;
}

export const DEFAULT_TIMEOUTS: ImprovTimeouts = {
  detectIntervalMs: 1000,
  detectTotalMs: 3000,
  rpcMs: 30_000,
  wifiMs: 45_000,
  mqttMs: 40_000,
  provisionedGraceMs: 1000,
};

export interface DeviceInfo {
  firmware: string;
  version: string;
  chip: string;
  name: string;
  osName?: string;
  osVersion?: string;
}

export interface WifiNetwork {
  ssid: string;
  rssi: number;
  secured: boolean;
}

export interface MqttSettings {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  clientId: string;
  topic: string;
}

export interface MqttStatus {
  host: string;
  port: number;
  tls: boolean;
  /** masked by the device */
  username: string;
  clientId: string;
  topic: string;
  state: 'connected' | 'connecting' | 'failed' | 'unset' | string;
}

export interface ImprovClientOptions {
  timeouts?: Partial<ImprovTimeouts>;
  onLog?: (line: string) => void;
  onState?: (state: ImprovStateName) => void;
}

/**
 * The page a device names (Improv's redirect URL) as a link we can show and open: http(s) only, as the URL
 * parser writes it (control characters dropped or escaped), or nothing — a device is not trusted to name a
 * javascript: link or to put terminal escapes on the command line.
 */
export function deviceUrlFrom(text: string | undefined): string | undefined {
  if (!text) return undefined;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
