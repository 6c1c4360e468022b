/**
 * Improv Wi-Fi serial framing (see /work/shared/PAIRING.md): encode/decode frames and their checksum,
 * RPC commands and results, and a streaming parser that picks frames out of a device's log output.
 * Pure functions, no I/O. The parser never throws and never holds more than a few hundred bytes.
 */

export const IMPROV_HEADER = Uint8Array.from([0x49, 0x4d, 0x50, 0x52, 0x4f, 0x56]); // "IMPROV"
export const IMPROV_VERSION = 0x01;
/** header + version + type + length */
const PREFIX_LEN = IMPROV_HEADER.length + 3;
const NEWLINE = 0x0a;
/** The largest frame: prefix, 255 data bytes, checksum. */
export const MAX_FRAME_LEN = PREFIX_LEN + 255 + 1;
/** Log lines longer than this are cut (and marked) so a chatty device cannot grow our buffer. */
export const MAX_LOG_LINE = 512;

export const FrameType = { State: 0x01, Error: 0x02, Rpc: 0x03, RpcResult: 0x04 } as const;

export const ImprovState = { Stopped: 0x00, Ready: 0x02, Provisioning: 0x03, Provisioned: 0x04 } as const;
export type ImprovStateName = 'stopped' | 'ready' | 'provisioning' | 'provisioned' | 'unknown';

export const ImprovErrorCode = {
  None: 0x00,
  InvalidRpc: 0x01,
  UnknownRpc: 0x02,
  UnableToConnect: 0x03,
  BadHostname: 0x05,
  Unknown: 0xff,
} as const;

export const RpcCommand = {
  SendWifi: 0x01,
  RequestState: 0x02,
  DeviceInfo: 0x03,
  ScanNetworks: 0x04,
  Hostname: 0x05,
  DeviceName: 0x06,
  /** Apiary extension: strings host, port, tls, username, password, client_id, topic */
  SetMqtt: 0x80,
  /** Apiary extension: no data; answers host, port, tls, username (masked), client_id, topic, state */
  GetMqtt: 0x81,
} as const;

export interface ImprovFrame {
  type: number;
  data: Uint8Array;
}

export function checksum(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return sum;
}

/** A complete frame, checksum and trailing newline included, ready for a single write(). */
export function encodeFrame(type: number, data: Uint8Array): Uint8Array {
  if (data.length > 255) throw new RangeError(`Improv frame data is ${data.length} bytes; the limit is 255`);
  const out = new Uint8Array(PREFIX_LEN + data.length + 2);
  out.set(IMPROV_HEADER, 0);
  out[6] = IMPROV_VERSION;
  out[7] = type & 0xff;
  out[8] = data.length;
  out.set(data, PREFIX_LEN);
  const end = PREFIX_LEN + data.length;
  out[end] = checksum(out.subarray(0, end));
  out[end + 1] = NEWLINE;
  return out;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** `[len][bytes]…` — the string list both RPC data and RPC results use. */
export function encodeStrings(strings: readonly string[]): Uint8Array {
  const parts = strings.map((s) => utf8.encode(s));
  for (const [i, p] of parts.entries()) {
    if (p.length > 255) throw new RangeError(`string ${i + 1} is ${p.length} bytes; Improv allows 255`);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + 1 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out[at++] = p.length;
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Reads `[len][bytes]…` until the end; undefined if a length runs past the end. */
export function decodeStrings(bytes: Uint8Array): string[] | undefined {
  const strings: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const len = bytes[at]!;
    if (at + 1 + len > bytes.length) return undefined;
    strings.push(utf8Decoder.decode(bytes.subarray(at + 1, at + 1 + len)));
    at += 1 + len;
  }
  return strings;
}

/** RPC frame data: `[command][len][payload…]`. */
export function encodeRpcData(command: number, strings: readonly string[] = []): Uint8Array {
  const payload = encodeStrings(strings);
  if (payload.length > 253) {
    throw new RangeError(`the RPC data is ${payload.length} bytes; Improv frames carry at most 253`);
  }
  const out = new Uint8Array(2 + payload.length);
  out[0] = command;
  out[1] = payload.length;
  out.set(payload, 2);
  return out;
}

/** The full frame for an RPC command (host → device). Throws RangeError on oversized strings. */
export function encodeRpcCommand(command: number, strings: readonly string[] = []): Uint8Array {
  return encodeFrame(FrameType.Rpc, encodeRpcData(command, strings));
}

export interface RpcMessage {
  command: number;
  strings: string[];
}

/** Decodes RPC command data or RPC result data: both are `[command][len]` + strings. */
export function decodeRpcData(data: Uint8Array): RpcMessage | undefined {
  if (data.length < 2) return undefined;
  const command = data[0]!;
  const len = data[1]!;
  if (2 + len > data.length) return undefined;
  const strings = decodeStrings(data.subarray(2, 2 + len));
  return strings ? { command, strings } : undefined;
}

/** The full frame for an RPC result (device → host); used by test doubles and the simulator's vectors. */
export function encodeRpcResult(command: number, strings: readonly string[]): Uint8Array {
  return encodeFrame(FrameType.RpcResult, encodeRpcData(command, strings));
}

export function stateName(code: number): ImprovStateName {
  switch (code) {
    case ImprovState.Stopped:
      return 'stopped';
    case ImprovState.Ready:
      return 'ready';
    case ImprovState.Provisioning:
      return 'provisioning';
    case ImprovState.Provisioned:
      return 'provisioned';
    default:
      return 'unknown';
  }
}

export function errorName(code: number): string {
  switch (code) {
    case ImprovErrorCode.None:
      return 'no error';
    case ImprovErrorCode.InvalidRpc:
      return 'invalid RPC or bad checksum';
    case ImprovErrorCode.UnknownRpc:
      return 'unknown RPC';
    case ImprovErrorCode.UnableToConnect:
      return 'unable to connect';
    case ImprovErrorCode.BadHostname:
      return 'bad hostname';
    default:
      return `unknown error 0x${code.toString(16).padStart(2, '0')}`;
  }
}

export type ParserEvent =
  { kind: 'frame'; frame: ImprovFrame } | { kind: 'log'; line: string } | { kind: 'invalid'; reason: string };

type Mode = 'lineStart' | 'frame' | 'skip';

/**
 * Streaming frame parser. A frame is recognized where a line starts ("IMPROV" at the beginning of the
 * stream or after a newline), or mid-line where "IMPROV" is followed by the version byte 0x01 (a text
 * log line never holds a 0x01). Frames are length-delimited, so newline bytes inside their data are
 * fine; everything else is a log line, skipped up to its newline and reported. A new header inside an
 * unfinished frame abandons it, so a frame cut short by a device reset cannot swallow the next one.
 */
export class ImprovParser {
  private mode: Mode = 'lineStart';
  private readonly frame = new Uint8Array(MAX_FRAME_LEN);
  private frameLen = 0;
  private readonly line = new Uint8Array(MAX_LOG_LINE);
  private lineLen = 0;
  private lineCut = false;
  /** how many bytes of "IMPROV"+version we have seen at the end of a log line */
  private midMatch = 0;

  /** Feeds bytes; returns what they completed. Never throws. */
  push(chunk: Uint8Array | string): ParserEvent[] {
    const events: ParserEvent[] = [];
    let bytes: Uint8Array;
    try {
      bytes = typeof chunk === 'string' ? utf8.encode(chunk) : chunk instanceof Uint8Array ? chunk : new Uint8Array(0);
    } catch {
      return events;
    }
    for (const b of bytes) this.step(b, events);
    return events;
  }

  /** Forget any partial frame or line (e.g. after reopening the port). */
  reset(): void {
    this.mode = 'lineStart';
    this.frameLen = 0;
    this.lineLen = 0;
    this.lineCut = false;
    this.midMatch = 0;
  }

  private step(b: number, events: ParserEvent[]): void {
    switch (this.mode) {
      case 'lineStart':
        if (b === IMPROV_HEADER[0]) {
          this.mode = 'frame';
          this.frame[0] = b;
          this.frameLen = 1;
          this.midMatch = 0;
        } else if (b === NEWLINE) {
          // an empty line (e.g. the newline after a frame): nothing to report
        } else {
          this.startLine(b);
        }
        return;
      case 'frame':
        this.frameByte(b, events);
        return;
      case 'skip':
        this.skipByte(b, events);
        return;
    }
  }

  private frameByte(b: number, events: ParserEvent[]): void {
    const at = this.frameLen;
    if (at < IMPROV_HEADER.length && b !== IMPROV_HEADER[at]) {
      // Not a frame after all: the bytes so far start a log line.
      const seen = this.frame.slice(0, at);
      this.mode = 'skip';
      this.lineLen = 0;
      this.lineCut = false;
      this.midMatch = 0;
      for (const s of seen) this.appendLine(s);
      this.skipByte(b, events);
      return;
    }
    if (at >= IMPROV_HEADER.length && this.trackMidFrame(b)) {
      // A new header inside an unfinished frame: the frame was cut short (a device reset mid-write).
      events.push({ kind: 'invalid', reason: 'truncated frame' });
      this.startFrameAfterHeader();
      return;
    }
    this.frame[this.frameLen++] = b;
    if (this.frameLen === IMPROV_HEADER.length + 1 && b !== IMPROV_VERSION) {
      events.push({ kind: 'invalid', reason: `unsupported Improv version ${b}` });
      this.enterSkip();
      return;
    }
    if (this.frameLen < PREFIX_LEN) return;
    const dataLen = this.frame[PREFIX_LEN - 1]!;
    const total = PREFIX_LEN + dataLen + 1;
    if (this.frameLen < total) return;
    const body = this.frame.subarray(0, total - 1);
    const sum = this.frame[total - 1]!;
    if (checksum(body) !== sum) {
      events.push({ kind: 'invalid', reason: 'bad checksum' });
      // The length byte may have been corrupted too: resynchronize at the next newline.
      this.enterSkip();
      return;
    }
    events.push({
      kind: 'frame',
      frame: { type: this.frame[7]!, data: this.frame.slice(PREFIX_LEN, PREFIX_LEN + dataLen) },
    });
    this.frameLen = 0;
    this.mode = 'lineStart';
  }

  private enterSkip(): void {
    this.frameLen = 0;
    this.mode = 'skip';
    // midMatch carries on: the next header may have begun inside the bytes of the broken frame
    // the bytes of a broken frame are not a log line worth reporting
    this.lineLen = -1;
    this.lineCut = false;
  }

  private startLine(b: number): void {
    this.mode = 'skip';
    this.lineLen = 0;
    this.lineCut = false;
    this.midMatch = 0;
    this.appendLine(b);
    this.trackMidFrame(b);
  }

  private skipByte(b: number, events: ParserEvent[]): void {
    if (b === NEWLINE) {
      this.flushLine(events);
      this.mode = 'lineStart';
      return;
    }
    this.appendLine(b);
    if (this.trackMidFrame(b)) {
      // "IMPROV" + version inside a line: drop those 7 bytes from the log and parse the frame
      this.lineLen = Math.max(0, this.lineLen - (IMPROV_HEADER.length + 1));
      this.flushLine(events);
      this.startFrameAfterHeader();
    }
  }

  /** Continue as if "IMPROV" + version had just been read at the start of a frame. */
  private startFrameAfterHeader(): void {
    this.mode = 'frame';
    this.frame.set(IMPROV_HEADER, 0);
    this.frame[IMPROV_HEADER.length] = IMPROV_VERSION;
    this.frameLen = IMPROV_HEADER.length + 1;
    this.midMatch = 0;
  }

  /** True when the last 7 bytes were "IMPROV" + 0x01. */
  private trackMidFrame(b: number): boolean {
    const expected = this.midMatch < IMPROV_HEADER.length ? IMPROV_HEADER[this.midMatch] : IMPROV_VERSION;
    if (b === expected) {
      this.midMatch++;
      if (this.midMatch === IMPROV_HEADER.length + 1) {
        this.midMatch = 0;
        return true;
      }
      return false;
    }
    // "IMPROV" has no repeated prefix, so on a mismatch only a fresh 'I' can restart the match
    this.midMatch = b === IMPROV_HEADER[0] ? 1 : 0;
    return false;
  }

  private appendLine(b: number): void {
    if (this.lineLen < 0) return; // inside a broken frame: not reported
    if (this.lineLen < MAX_LOG_LINE) this.line[this.lineLen++] = b;
    else this.lineCut = true;
  }

  private flushLine(events: ParserEvent[]): void {
    if (this.lineLen > 0) {
      let text = utf8Decoder.decode(this.line.subarray(0, this.lineLen)).replace(/\r$/, '');
      if (this.lineCut) text += '…';
      if (text.length > 0) events.push({ kind: 'log', line: text });
    }
    this.lineLen = 0;
    this.lineCut = false;
  }
}
