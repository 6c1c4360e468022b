/**
 * The call machinery under the Improv client: reads frames and log lines off the port, runs one call at a
 * time (each with its handlers and cleanup), maps device error frames, and fails the waiting call when the
 * port closes. The RPCs themselves are in improv-client.ts.
 */
import {
  FrameType,
  ImprovErrorCode,
  ImprovParser,
  RpcCommand,
  decodeRpcData,
  encodeRpcCommand,
  stateName,
  type ImprovFrame,
  type ImprovStateName,
} from './improv-codec.js';
import { PairingError, deviceError, writeError } from './errors.js';
import { DEFAULT_TIMEOUTS, deviceUrlFrom, type DuplexPort, type ImprovClientOptions, type ImprovTimeouts } from './improv-types.js';

/** What a call does with each frame: keep waiting, or it is done (resolve / reject called). */
interface Call {
  what: string;
  onFrame(frame: ImprovFrame): void;
  /** maps a device error code to a PairingError; undefined = ignore the error frame */
  onDeviceError(code: number): PairingError | undefined;
  resolve(value: unknown): void;
  reject(err: PairingError): void;
}

export interface RpcHandlers<T> {
  onResult: (strings: string[], done: (v: T) => void) => void;
  onState?: (state: ImprovStateName, done: (v: T) => void) => void;
  onDeviceError?: (code: number) => PairingError | undefined;
  cleanup?: () => void;
}

const RECENT_LOG_LINES = 20;

export class ImprovCalls {
  private readonly parser = new ImprovParser();
  protected readonly timeouts: ImprovTimeouts;
  private current: Call | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closedReason: PairingError | null = null;
  private readonly recent: string[] = [];
  private markDisconnected: (err: PairingError) => void = () => undefined;
  /** last state the device reported */
  state: ImprovStateName | undefined;
  /**
   * The device's own page (Improv's "next URL"), from the last Wi-Fi or request-state result that named one,
   * whether or not a call was waiting for it.
   */
  deviceUrl: string | undefined;
  /**
   * Resolves when the port closes under us (unplugged, reset), not when we close it: what a wait with no
   * call in flight (the first message) races against, so an unplug is reported as one.
   */
  readonly disconnected: Promise<PairingError>;

  constructor(
    protected readonly port: DuplexPort,
    private readonly options: ImprovClientOptions = {},
  ) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.disconnected = new Promise((resolve) => (this.markDisconnected = resolve));
    port.onData((chunk) => this.onData(chunk));
    port.onClose(() => this.onPortClosed());
  }

  /** The device's last log lines, to show when something fails. */
  recentLog(): string[] {
    return [...this.recent];
  }

  /** Fails any waiting call and closes the port. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closedReason) this.closedReason = new PairingError('closed', 'the pairing was cancelled');
    this.current?.reject(this.closedReason);
    await this.port.close();
  }

  protected simpleRpc(command: number, strings: string[], what: string): Promise<string[]> {
    return this.rpc<string[]>(command, strings, what, this.timeouts.rpcMs, { onResult: (s, done) => done(s) });
  }

  protected rpc<T>(command: number, strings: readonly string[], what: string, timeoutMs: number, handlers: RpcHandlers<T>): Promise<T> {
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
  protected enqueue<T>(
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
    if (frame.type === FrameType.RpcResult) {
      const result = decodeRpcData(frame.data);
      const named = deviceUrlFrom(result?.strings[0]);
      if (named && (result!.command === RpcCommand.SendWifi || result!.command === RpcCommand.RequestState)) this.deviceUrl = named;
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
      this.markDisconnected(this.closedReason);
    }
    const call = this.current;
    call?.reject(new PairingError(this.closedReason.code, `${this.closedReason.message} while ${call.what}`));
  }
}
