/**
 * Why this exists: esptool-js (Espressif's serial flasher, used by ESP Web Tools) drives a browser Web Serial
 * `SerialPort` — open/close, a ReadableStream and a WritableStream of bytes, setSignals for DTR/RTS, getInfo.
 * Node has no Web Serial, but it has web streams, so this is that object over the `serialport` package: the
 * smallest surface esptool-js's Transport touches (read in node_modules/esptool-js/lib/webserial.js).
 * Open errors reuse the pairing wording (busy, permission, missing: what to do); ptys refuse DTR/RTS, which is fine.
 */
import { existsSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { loadSerialPort } from '../pairing/serialport-lib.js';
import { describeOpenError, reservePort } from '../pairing/serial-port.js';

interface Signals {
  dataTerminalReady?: boolean;
  requestToSend?: boolean;
  break?: boolean;
}

export class NodeWebSerialPort {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private port: SerialPort | null = null;
  private release: (() => void) | undefined;
  private lines = { dtr: false, rts: false, brk: false };
  /** set when the device went away under us (unplugged), so a timeout can be explained */
  lost: Error | null = null;
  private lostCbs: ((err: Error) => void)[] = [];
  private presence: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly info: { usbVendorId?: number; usbProductId?: number } = {},
  ) {}

  getInfo(): { usbVendorId?: number; usbProductId?: number } {
    return this.info;
  }

  async open(options: { baudRate: number }): Promise<void> {
    // held in Apiary's port registry like pairing and the console hold theirs: each refuses the other by name
    const SerialPortClass = await loadSerialPort();
    this.release ??= await reservePort(this.path, 'the firmware flasher');
    const port = new SerialPortClass({ path: this.path, baudRate: options.baudRate, autoOpen: false, hupcl: false });
    try {
      await new Promise<void>((resolve, reject) =>
        port.open((err) => (err ? reject(describeOpenError(this.path, err)) : resolve())),
      );
    } catch (err) {
      this.release?.();
      this.release = undefined;
      throw err;
    }
    this.port = port;
    this.lost = null;
    // an unplug shows as a close with an error, not always (ptys): the device node vanishing says the same
    clearInterval(this.presence);
    this.presence = setInterval(() => {
      if (!existsSync(this.path)) this.markLost(new Error(`${this.path} disappeared`));
    }, 500);
    this.presence.unref();
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;
    const end = (err?: Error | null) => {
      if (ended) return;
      ended = true;
      if (err) this.markLost(err);
      try {
        controller.close();
      } catch {
        // already cancelled by the reader
      }
    };
    this.readable = new ReadableStream<Uint8Array>({
      start: (c) => {
        controller = c;
        port.on('data', (chunk: Buffer) => {
          if (!ended) controller.enqueue(new Uint8Array(chunk));
        });
        port.on('close', (err?: Error | null) => end(err ?? null));
        port.on('error', (err: Error) => end(err));
      },
      cancel: () => {
        ended = true;
      },
    });
    // A failed write resolves and marks the port lost: esptool-js's Transport.write would leave the stream
    // locked on a rejection, and its disconnect() then waits for the unlock forever. The missing answer
    // times out instead, and the flasher reports the lost port.
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) =>
        new Promise<void>((resolve) => {
          const failed = (err: Error) => {
            this.markLost(err);
            resolve();
          };
          if (!port.isOpen) return failed(new Error(`${this.path} is closed`));
          port.write(Buffer.from(chunk), (err) => {
            if (err) return failed(err);
            port.drain((e) => (e ? failed(e) : resolve()));
          });
        }),
    });
  }

  /** Called once when the device goes away while open (not on our own close). */
  onLost(cb: (err: Error) => void): void {
    this.lostCbs.push(cb);
  }

  private markLost(err: Error): void {
    if (this.lost || !this.port) return;
    this.lost = err;
    clearInterval(this.presence);
    for (const cb of this.lostCbs) cb(err);
  }

  /** Web Serial semantics: a signal left out keeps its state (serialport's set() would reset it). */
  async setSignals(signals: Signals): Promise<void> {
    if (signals.dataTerminalReady !== undefined) this.lines.dtr = signals.dataTerminalReady;
    if (signals.requestToSend !== undefined) this.lines.rts = signals.requestToSend;
    if (signals.break !== undefined) this.lines.brk = signals.break;
    const port = this.port;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve, reject) =>
      port.set({ ...this.lines }, (err) => {
        if (!err || /inappropriate ioctl|ENOTTY|not supported/i.test(err.message)) return resolve();
        reject(new Error(`cannot set DTR/RTS on ${this.path}: ${err.message}`));
      }),
    );
  }

  /** esptool-js changes the baud rate in place when the port offers this (instead of a close and reopen). */
  async setBaudRate(baudRate: number): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) throw new Error(`${this.path} is not open`);
    await new Promise<void>((resolve, reject) => port.update({ baudRate }, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.release?.();
    this.release = undefined;
    clearInterval(this.presence);
    this.readable = null;
    this.writable = null;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 3000);
      port.close(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
