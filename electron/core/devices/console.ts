/**
 * A serial console for any port: a baud rate, DTR/RTS, lines or raw bytes sent, everything received kept
 * in a bounded log (entries with their time and direction) that renders as text or hex and saves to a file.
 * It holds its port like pairing does — one owner at a time, refused by name (serial-port.ts) — so a
 * console and a pairing never talk over each other on one board.
 */
import { writeFile } from 'node:fs/promises';
import { openSerialPort, type SerialDuplex } from '../pairing/serial-port.js';
import { PairingError } from '../pairing/errors.js';
import { consoleLine } from '../../common/console-line.js';

export type LineEnding = 'none' | 'lf' | 'cr' | 'crlf';
export const LINE_ENDINGS: Record<LineEnding, string> = { none: '', lf: '\n', cr: '\r', crlf: '\r\n' };

/** The owner name other openers see: "… is in use by the serial console". */
export const CONSOLE_OWNER = 'the serial console';

export interface ConsoleEntry {
  /** ms since epoch */
  at: number;
  dir: 'rx' | 'tx';
  bytes: Uint8Array;
}

export interface ConsoleOptions {
  baudRate: number;
  dtr?: boolean;
  rts?: boolean;
  lineEnding?: LineEnding;
  /** the log keeps at most this many bytes (oldest entries dropped first); default 1 MiB */
  maxLogBytes?: number;
  /** who opens it, for the refusal others see; default CONSOLE_OWNER */
  owner?: string;
  /** default: openSerialPort (tests inject) */
  openPort?: typeof openSerialPort;
  now?: () => number;
}

export interface RenderOptions {
  hex?: boolean;
  timestamps?: boolean;
}

export const DEFAULT_MAX_LOG_BYTES = 1024 * 1024;
export const MAX_SEND_BYTES = 4096;

/** "01 a0 FF" or "01a0ff" → bytes; throws a PairingError 'bad-input' that says what is wrong. */
export function parseHexBytes(text: string): Uint8Array {
  const compact = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (!compact) throw new PairingError('bad-input', 'no bytes to send: type hex like "01 a0 ff"');
  if (!/^[0-9a-f]+$/i.test(compact)) throw new PairingError('bad-input', `"${text}" is not hex: use 0-9 and a-f, like "01 a0 ff"`);
  if (compact.length % 2) throw new PairingError('bad-input', `"${text}" has an odd number of hex digits: each byte is two`);
  if (compact.length / 2 > MAX_SEND_BYTES) throw new PairingError('bad-input', `at most ${MAX_SEND_BYTES} bytes at a time`);
  return Uint8Array.from(compact.match(/../g)!.map((b) => Number.parseInt(b, 16)));
}

/** One entry as a line of text or hex, optionally timestamped (common/console-line.ts). */
export function renderEntry(e: ConsoleEntry, opts: RenderOptions = {}): string {
  return consoleLine(e, opts);
}

export class SerialConsole {
  private readonly entries: ConsoleEntry[] = [];
  private logBytes = 0;
  private readonly listeners = new Set<(e: ConsoleEntry) => void>();
  private readonly closeListeners = new Set<(reason?: Error) => void>();
  private lines: { dtr: boolean; rts: boolean };
  private lineEnding: LineEnding;
  /** entries dropped from the front of the log to keep it bounded */
  dropped = 0;

  private constructor(
    readonly path: string,
    private readonly port: SerialDuplex,
    private readonly opts: ConsoleOptions,
  ) {
    this.lines = { dtr: opts.dtr ?? false, rts: opts.rts ?? false };
    this.lineEnding = opts.lineEnding ?? 'lf';
    port.onData((chunk) => this.record('rx', chunk));
    port.onClose((err) => {
      for (const cb of this.closeListeners) cb(err);
    });
  }

  /** Opens the port at the baud rate with DTR/RTS as asked (default both low: no reset into the bootloader). */
  static async open(path: string, opts: ConsoleOptions): Promise<SerialConsole> {
    const port = await (opts.openPort ?? openSerialPort)(path, {
      baudRate: opts.baudRate,
      dtr: opts.dtr ?? false,
      rts: opts.rts ?? false,
      bootDelayMs: 0,
      owner: opts.owner ?? CONSOLE_OWNER,
    });
    return new SerialConsole(path, port, opts);
  }

  get isOpen(): boolean {
    return this.port.isOpen;
  }

  get baudRate(): number {
    return this.opts.baudRate;
  }

  get modemLines(): { dtr: boolean; rts: boolean } {
    return { ...this.lines };
  }

  get ending(): LineEnding {
    return this.lineEnding;
  }

  set ending(value: LineEnding) {
    this.lineEnding = value;
  }

  onEntry(cb: (e: ConsoleEntry) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  onClose(cb: (reason?: Error) => void): void {
    this.closeListeners.add(cb);
  }

  /** Sends a line with the chosen line ending. */
  async sendLine(text: string): Promise<void> {
    if (/[\r\n]/.test(text)) throw new PairingError('bad-input', 'one line at a time: the line ending is added for you');
    await this.send(new TextEncoder().encode(text + LINE_ENDINGS[this.lineEnding]));
  }

  /** Sends raw bytes, given as hex text ("01 a0 ff") or as bytes. */
  async sendBytes(bytes: Uint8Array | string): Promise<void> {
    await this.send(typeof bytes === 'string' ? parseHexBytes(bytes) : bytes);
  }

  async setModemLines(lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
    await this.port.setLines(lines);
    this.lines = { dtr: lines.dtr ?? this.lines.dtr, rts: lines.rts ?? this.lines.rts };
  }

  /** The log, oldest first. */
  log(): ConsoleEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  /** Everything received, as one buffer (what a test or a "copy" wants). */
  received(): Uint8Array {
    return concat(this.entries.filter((e) => e.dir === 'rx').map((e) => e.bytes));
  }

  clear(): void {
    this.entries.length = 0;
    this.logBytes = 0;
    this.dropped = 0;
  }

  /** Writes the log as text (or hex) lines to a file. */
  async save(file: string, opts: RenderOptions = { timestamps: true }): Promise<number> {
    const head = `# ${this.path} at ${this.opts.baudRate} baud${this.dropped ? `; ${this.dropped} older entries dropped` : ''}\n`;
    await writeFile(file, head + this.entries.map((e) => renderEntry(e, opts)).join('\n') + '\n', { mode: 0o600 });
    return this.entries.length;
  }

  close(): Promise<void> {
    return this.port.close();
  }

  private async send(bytes: Uint8Array): Promise<void> {
    if (bytes.length > MAX_SEND_BYTES) throw new PairingError('bad-input', `at most ${MAX_SEND_BYTES} bytes at a time`);
    await this.port.write(bytes);
    this.record('tx', bytes);
  }

  private record(dir: 'rx' | 'tx', chunk: Uint8Array): void {
    const entry: ConsoleEntry = { at: (this.opts.now ?? Date.now)(), dir, bytes: Uint8Array.from(chunk) };
    this.entries.push(entry);
    this.logBytes += entry.bytes.length;
    const max = this.opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
    while (this.logBytes > max && this.entries.length > 1) {
      this.logBytes -= this.entries.shift()!.bytes.length;
      this.dropped++;
    }
    for (const cb of this.listeners) cb(entry);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
