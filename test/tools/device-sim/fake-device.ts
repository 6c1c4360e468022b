/** An in-memory DuplexPort for unit tests: the far end is a scripted Improv device. */
import type { DuplexPort } from '../../../electron/core/pairing/improv-client.js';
import {
  FrameType,
  ImprovParser,
  decodeRpcData,
  encodeFrame,
  encodeRpcResult,
  type RpcMessage,
} from '../../../electron/core/pairing/improv-codec.js';

/** An in-memory port whose far end is a scripted device: `answer` turns each RPC into bytes to send back. */
export class FakeDevice implements DuplexPort {
  private dataCb: (c: Uint8Array) => void = () => undefined;
  private closeCb: (e?: Error) => void = () => undefined;
  private readonly parser = new ImprovParser();
  readonly received: RpcMessage[] = [];
  /** text lines the host wrote (console commands) */
  readonly lines: string[] = [];
  closed = false;
  constructor(private readonly answer: (rpc: RpcMessage, dev: FakeDevice) => void) {}

  write(buf: Uint8Array): Promise<void> {
    for (const e of this.parser.push(buf)) {
      if (e.kind === 'log') this.lines.push(e.line);
      if (e.kind !== 'frame' || e.frame.type !== FrameType.Rpc) continue;
      const rpc = decodeRpcData(e.frame.data);
      if (rpc) {
        this.received.push(rpc);
        queueMicrotask(() => this.answer(rpc, this));
      }
    }
    return Promise.resolve();
  }
  onData(cb: (c: Uint8Array) => void): void {
    this.dataCb = cb;
  }
  onClose(cb: (e?: Error) => void): void {
    this.closeCb = cb;
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
  send(bytes: Uint8Array | string): void {
    this.dataCb(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes);
  }
  state(s: number): void {
    this.send(encodeFrame(FrameType.State, Uint8Array.of(s)));
  }
  error(code: number): void {
    this.send(encodeFrame(FrameType.Error, Uint8Array.of(code)));
  }
  result(command: number, strings: string[]): void {
    this.send(encodeRpcResult(command, strings));
  }
  unplug(): void {
    this.closeCb(new Error('disconnected'));
  }
}
