/**
 * Improv serial client over an abstract duplex port (serialport in the app, a pipe in tests):
 * detect, device info, scan, send Wi-Fi, hostname / device name, and the Apiary MQTT extension.
 * One RPC in flight at a time; every call has a timeout; failures reject with a PairingError.
 */
import {
  FrameType,
  ImprovErrorCode,
  ImprovParser,
  RpcCommand,
  decodeRpcData,
  encodeRpcCommand,
  errorName,
  stateName,
  type ImprovFrame,
  type ImprovStateName,
} from './improv-codec.js';
import { PairingError, type PairingErrorCode } from './errors.js';

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

/** What a call does with each frame: keep waiting, or it is done (resolve / reject called). */
interface Call {
  what: string;
  onFrame(frame: ImprovFrame): void;
  /** maps a device error code to a PairingError; undefined = ignore the error frame */
  onDeviceError(code: number): PairingError | undefined;
  resolve(value: unknown): void;
  reject(err: PairingError): void;
}

const RECENT_LOG_LINES = 20;

export class ImprovClient {
  private readonly parser = new ImprovParser();
  private readonly timeouts: ImprovTimeouts;
  private current: Call | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closedReason: PairingError | null = null;
  private readonly recent: string[] = [];
  /** last state the device reported */
  state: ImprovStateName | undefined;

  constructor(
    private readonly port: DuplexPort,
    private readonly options: ImprovClientOptions = {},
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    port.onData((chunk) => this.onData(chunk));
    port.onClose(() => this.onPortClosed());
  }

  /** The device's last log lines, to show when something fails. */
  recentLog(): string[] {
    return [...this.recent];
  }

  /** Resends "request state" every interval until the device answers, up to the total time. */
  detect(): Promise<ImprovStateName> {
    return this.enqueue<ImprovStateName>('detecting the device', (done, fail) => {
      const frame = encodeRpcCommand(RpcCommand.RequestState);
      const send = () => void this.port.write(frame).catch((err: unknown) => fail(writeError(err, 'detecting the device')));
      send();
      const resend = setInterval(send, this.timeouts.detectIntervalMs);
      const giveUp = setTimeout(
        () => fail(new PairingError('no-answer', 'no Improv answer: wrong baud rate (try 115200) or firmware without Improv')),
        this.timeouts.detectTotalMs,
      );
      return {
        cleanup: () => {
          clearInterval(resend);
          clearTimeout(giveUp);
        },
        onFrame: (f) => {
          if (f.type === FrameType.State) done(stateName(f.data[0] ?? 0xff));
        },
        // a garbled request (wrong baud) can draw "invalid RPC": keep asking until the time is up
        onDeviceError: () => undefined,
      };
    });
  }

  async deviceInfo(): Promise<DeviceInfo> {
    const s = await this.simpleRpc(RpcCommand.DeviceInfo, [], 'reading device info');
    if (s.length < 4) throw new PairingError('bad-answer', `device info has ${s.length} fields, expected 4`);
    const info: DeviceInfo = { firmware: s[0]!, version: s[1]!, chip: s[2]!, name: s[3]! };
    if (s[4] !== undefined) info.osName = s[4];
    if (s[5] !== undefined) info.osVersion = s[5];
    return info;
  }

  /** Collects one result per network until the device sends a result with no strings. */
  scanNetworks(): Promise<WifiNetwork[]> {
    const networks: WifiNetwork[] = [];
    return this.rpc<WifiNetwork[]>(RpcCommand.ScanNetworks, [], 'scanning Wi-Fi networks', this.timeouts.rpcMs, {
      onResult: (strings, done) => {
        if (strings.length === 0) return done(networks);
        const [ssid = '', rssi = '', secured = ''] = strings;
        // one network per SSID: keep the strongest signal
        const entry = { ssid, rssi: Number.parseInt(rssi, 10) || 0, secured: secured.toUpperCase() === 'YES' };
        const same = networks.findIndex((n) => n.ssid === ssid);
        if (same < 0) networks.push(entry);
        else if (networks[same]!.rssi < entry.rssi) networks[same] = entry;
      },
    });
  }

  /** Resolves once the device reports "provisioned"; error 0x03 means a wrong password or network. */
  sendWifi(ssid: string, password: string): Promise<{ redirectUrl?: string }> {
    let grace: NodeJS.Timeout | undefined;
    return this.rpc<{ redirectUrl?: string }>(
      RpcCommand.SendWifi,
      [ssid, password],
      `joining Wi-Fi "${ssid}"`,
      this.timeouts.wifiMs,
      {
        onResult: (strings, done) => done(strings[0] ? { redirectUrl: strings[0] } : {}),
        onState: (state, done) => {
          // the redirect-URL result is optional: do not wait for it forever
          if (state === 'provisioned' && !grace) grace = setTimeout(() => done({}), this.timeouts.provisionedGraceMs);
        },
        onDeviceError: (code) =>
          code === ImprovErrorCode.UnableToConnect
            ? new PairingError('unable-to-connect', `device could not join "${ssid}": check the password`)
            : undefined,
        cleanup: () => clearTimeout(grace),
      },
    );
  }

  /** Reads the hostname, or sets it when a value is given. */
  async hostname(value?: string): Promise<string> {
    const s = await this.simpleRpc(
      RpcCommand.Hostname,
      value ? [value] : [],
      value ? 'setting the hostname' : 'reading the hostname',
    );
    return s[0] ?? '';
  }

  /** Reads the device name, or sets it when a value is given. */
  async deviceName(value?: string): Promise<string> {
    const s = await this.simpleRpc(
      RpcCommand.DeviceName,
      value ? [value] : [],
      value ? 'setting the device name' : 'reading the device name',
    );
    return s[0] ?? '';
  }

  /** Apiary 0x80: the device stores the settings, connects, and answers its client id once connected. */
  async setMqtt(settings: MqttSettings): Promise<{ clientId: string }> {
    const where = `${settings.host}:${settings.port}`;
    const strings = [
      settings.host,
      String(settings.port),
      settings.tls ? '1' : '0',
      settings.username,
      settings.password,
      settings.clientId,
      settings.topic,
    ];
    return this.rpc<{ clientId: string }>(RpcCommand.SetMqtt, strings, 'sending MQTT settings', this.timeouts.mqttMs, {
      onResult: (s, done) => done({ clientId: s[0] ?? settings.clientId }),
      onDeviceError: (code) => {
        if (code === ImprovErrorCode.UnknownRpc) {
          return new PairingError(
            'unknown-rpc',
            'unknown RPC 0x80: the firmware lacks the Apiary MQTT extension; flash resources/firmware/apiary_device or set MQTT on the device by hand',
          );
        }
        if (code === ImprovErrorCode.UnableToConnect) {
          return new PairingError(
            'unable-to-connect',
            `device could not connect to the MQTT broker at ${where}: check the broker address, TLS and the token`,
          );
        }
        return undefined;
      },
    });
  }

  /** Apiary 0x81: what the device has stored and whether it is connected. */
  async getMqtt(): Promise<MqttStatus> {
    const s = await this.simpleRpc(RpcCommand.GetMqtt, [], 'reading MQTT settings');
    const [host = '', port = '', tls = '', username = '', clientId = '', topic = '', state = 'unset'] = s;
    return { host, port: Number.parseInt(port, 10) || 0, tls: tls === '1', username, clientId, topic, state };
  }

  /** Asks 0x81 (harmless) and tells whether the firmware knows the Apiary extension. */
  async supportsApiaryExtension(): Promise<boolean> {
    try {
      await this.getMqtt();
      return true;
    } catch (err) {
      if (err instanceof PairingError && err.code === 'unknown-rpc') return false;
      throw err;
    }
  }

  /** A console line for firmware with a text console (Tasmota), terminated with CR LF. */
  sendConsoleLine(line: string): Promise<void> {
    return this.enqueue<void>('writing a console command', (done, fail) => {
      this.port.write(new TextEncoder().encode(`${line}\r\n`)).then(
        () => done(undefined),
        (err: unknown) => fail(writeError(err, 'writing a console command')),
      );
      return { onFrame: () => undefined, onDeviceError: () => undefined };
    });
  }

  /** Fails any waiting call and closes the port. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closedReason) this.closedReason = new PairingError('closed', 'the pairing was cancelled');
    this.current?.reject(this.closedReason);
    await this.port.close();
  }

  private simpleRpc(command: number, strings: string[], what: string): Promise<string[]> {
    return this.rpc<string[]>(command, strings, what, this.timeouts.rpcMs, { onResult: (s, done) => done(s) });
  }

  private rpc<T>(
    command: number,
    strings: readonly string[],
    what: string,
    timeoutMs: number,
    handlers: {
      onResult: (strings: string[], done: (v: T) => void) => void;
      onState?: (state: ImprovStateName, done: (v: T) => void) => void;
      onDeviceError?: (code: number) => PairingError | undefined;
      cleanup?: () => void;
    },
  ): Promise<T> {
    let frame: Uint8Array;
    try {
      frame = encodeRpcCommand(command, strings);
    } catch (err) {
      return Promise.reject(new PairingError('bad-input', `cannot send ${what}: ${(err as Error).message}`));
    }
    return this.enqueue<T>(what, (done, fail) => {
      this.port.write(frame).catch((err: unknown) => fail(writeError(err, what)));
      const timer = setTimeout(
        () => fail(new PairingError('timeout', `the device did not answer while ${what} (${Math.round(timeoutMs / 1000)} s)`)),
        timeoutMs,
      );
      return {
        cleanup: () => {
          clearTimeout(timer);
          handlers.cleanup?.();
        },
        onFrame: (f) => {
          if (f.type === FrameType.State) handlers.onState?.(stateName(f.data[0] ?? 0xff), done);
          if (f.type !== FrameType.RpcResult) return;
          const result = decodeRpcData(f.data);
          if (!result) return fail(new PairingError('bad-answer', `unreadable answer while ${what}`));
          if (result.command === command) handlers.onResult(result.strings, done);
        },
        onDeviceError: (code) => handlers.onDeviceError?.(code) ?? deviceError(code, command, what),
      };
    });
  }

  /**
   * Runs one call at a time. `start` sends and returns the frame handlers; the call ends when
   * `done` or `fail` is called (or the port closes), and its cleanup runs exactly once.
   */
  private enqueue<T>(
    what: string,
    start: (
      done: (v: T) => void,
      fail: (e: PairingError) => void,
    ) => Pick<Call, 'onFrame' | 'onDeviceError'> & { cleanup?: () => void },
  ): Promise<T> {
    const run = () =>
      new Promise<T>((resolve, reject) => {
        if (this.closedReason) return reject(this.closedReason);
        let finished = false;
        // filled in once start() has returned its handlers
        const cleanups: (() => void)[] = [];
        const finish = () => {
          finished = true;
          for (const c of cleanups.splice(0)) c();
          if (this.current === call) this.current = null;
        };
        const call: Call = {
          what,
          onFrame: () => undefined,
          onDeviceError: () => undefined,
          resolve: (v) => {
            if (finished) return;
            finish();
            resolve(v as T);
          },
          reject: (e) => {
            if (finished) return;
            finish();
            reject(e);
          },
        };
        this.current = call;
        const handlers = start(call.resolve, call.reject);
        if (handlers.cleanup) {
          // a call that already failed inside start() cleans up right away
          if (finished) handlers.cleanup();
          else cleanups.push(handlers.cleanup);
        }
        call.onFrame = handlers.onFrame;
        call.onDeviceError = handlers.onDeviceError;
      });
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private onData(chunk: Uint8Array): void {
    for (const event of this.parser.push(chunk)) {
      if (event.kind === 'log') {
        this.recent.push(event.line);
        if (this.recent.length > RECENT_LOG_LINES) this.recent.shift();
        this.options.onLog?.(event.line);
      } else if (event.kind === 'frame') {
        this.onFrame(event.frame);
      }
    }
  }

  private onFrame(frame: ImprovFrame): void {
    if (frame.type === FrameType.State) {
      this.state = stateName(frame.data[0] ?? 0xff);
      this.options.onState?.(this.state);
    }
    const call = this.current;
    if (!call) return;
    if (frame.type === FrameType.Error) {
      const code = frame.data[0] ?? ImprovErrorCode.Unknown;
      if (code === ImprovErrorCode.None) return; // devices clear the error as they start work
      const err = call.onDeviceError(code);
      if (err) call.reject(err);
      return;
    }
    call.onFrame(frame);
  }

  private onPortClosed(): void {
    if (!this.closedReason) {
      this.closedReason = new PairingError('disconnected', 'the device disconnected (unplugged or reset?)');
    }
    const call = this.current;
    call?.reject(new PairingError(this.closedReason.code, `${this.closedReason.message} while ${call.what}`));
  }
}

function deviceError(code: number, command: number, what: string): PairingError {
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

function writeError(err: unknown, what: string): PairingError {
  if (err instanceof PairingError && err.code === 'disconnected') {
    return new PairingError('disconnected', `the device disconnected (unplugged or reset?) while ${what}`);
  }
  if (err instanceof PairingError) return err;
  return new PairingError('port-failed', `cannot write to the device: ${err instanceof Error ? err.message : String(err)}`);
}
