import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  ImprovParser,
  MAX_LOG_LINE,
  checksum,
  decodeRpcData,
  encodeFrame,
  encodeRpcCommand,
  encodeRpcData,
  type ParserEvent,
} from '../../electron/core/pairing/improv-codec.js';

interface FrameVector {
  name: string;
  type: number;
  data: string;
  frame: string;
  rpc?: { command: number; strings: string[] };
  state?: number;
  error?: number;
}
interface StreamVector {
  name: string;
  chunks: string[];
  frames: { type: number; data: string }[];
  logs: string[] | null;
  invalid: number;
}
const vectors = JSON.parse(readFileSync(new URL('../../resources/firmware/test/vectors.json', import.meta.url), 'utf8')) as {
  frames: FrameVector[];
  streams: StreamVector[];
};

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

describe('worked frames from PAIRING.md', () => {
  it('match byte for byte', () => {
    expect(hex(encodeRpcCommand(0x02))).toBe('494d50524f560103020200e50a');
    expect(hex(encodeRpcCommand(0x03))).toBe('494d50524f560103020300e60a');
    expect(hex(encodeFrame(0x01, Uint8Array.of(0x02)))).toBe('494d50524f5601010102e20a');
    expect(hex(encodeFrame(0x01, Uint8Array.of(0x04)))).toBe('494d50524f5601010104e40a');
  });
});

describe.each(vectors.frames)('frame vector: $name', (v) => {
  it('encodes to the vector bytes', () => {
    expect(hex(encodeFrame(v.type, bytes(v.data)))).toBe(v.frame);
    if (v.rpc) expect(hex(encodeRpcData(v.rpc.command, v.rpc.strings))).toBe(v.data);
  });
  it('parses back to type, data and strings', () => {
    const events = new ImprovParser().push(bytes(v.frame));
    expect(events).toHaveLength(1);
    const [e] = events;
    if (e?.kind !== 'frame') throw new Error(`expected a frame, got ${JSON.stringify(e)}`);
    expect(e.frame.type).toBe(v.type);
    expect(hex(e.frame.data)).toBe(v.data);
    if (v.rpc) expect(decodeRpcData(e.frame.data)).toEqual(v.rpc);
    if (v.state !== undefined) expect(e.frame.data[0]).toBe(v.state);
    if (v.error !== undefined) expect(e.frame.data[0]).toBe(v.error);
  });
  it('checksum is the low byte of the sum of every byte before it', () => {
    const f = bytes(v.frame);
    expect(checksum(f.subarray(0, f.length - 2))).toBe(f[f.length - 2]);
  });
});

describe.each(vectors.streams)('stream vector: $name', (v) => {
  it('yields the expected frames, logs and rejections', () => {
    const parser = new ImprovParser();
    const events: ParserEvent[] = v.chunks.flatMap((c) => parser.push(bytes(c)));
    const frames = events.flatMap((e) => (e.kind === 'frame' ? [{ type: e.frame.type, data: hex(e.frame.data) }] : []));
    expect(frames).toEqual(v.frames);
    if (v.logs) expect(events.flatMap((e) => (e.kind === 'log' ? [e.line] : []))).toEqual(v.logs);
    expect(events.filter((e) => e.kind === 'invalid')).toHaveLength(v.invalid);
  });
});

describe('encoding limits', () => {
  it('refuses strings over 255 bytes and RPC data over 253 bytes', () => {
    expect(() => encodeRpcCommand(1, ['x'.repeat(256)])).toThrow(RangeError);
    expect(() => encodeRpcCommand(1, ['x'.repeat(200), 'y'.repeat(60)])).toThrow(/253/);
  });
  it('rejects RPC data whose lengths overrun', () => {
    expect(decodeRpcData(Uint8Array.of(0x01))).toBeUndefined();
    expect(decodeRpcData(Uint8Array.of(0x01, 0x05, 0x01))).toBeUndefined();
    expect(decodeRpcData(Uint8Array.of(0x01, 0x02, 0x05, 0x41))).toBeUndefined();
  });
});

describe('parser bounds', () => {
  it('cuts an endless log line instead of growing', () => {
    const parser = new ImprovParser();
    const events: ParserEvent[] = [];
    for (let i = 0; i < 200; i++) events.push(...parser.push('x'.repeat(1000)));
    events.push(...parser.push('\n'));
    expect(events).toHaveLength(1);
    const [e] = events;
    expect(e?.kind === 'log' && e.line.length).toBe(MAX_LOG_LINE + 1);
  });
  it('ignores non-byte input instead of throwing', () => {
    const parser = new ImprovParser();
    expect(parser.push(undefined as unknown as Uint8Array)).toEqual([]);
    expect(parser.push(42 as unknown as Uint8Array)).toEqual([]);
  });
});

/** mulberry32: a tiny seeded PRNG so a failing fuzz case can be replayed */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz', () => {
  const allFrames = vectors.frames.map((v) => bytes(v.frame));

  it('random bytes, random frames, truncations and random chunking never throw and always resynchronize', () => {
    const rand = prng(0xa91a7);
    const int = (n: number) => Math.floor(rand() * n);
    for (let round = 0; round < 3000; round++) {
      const parser = new ImprovParser();
      const parts: Uint8Array[] = [];
      const pieces = 1 + int(8);
      for (let p = 0; p < pieces; p++) {
        const pick = int(4);
        if (pick === 0) parts.push(Uint8Array.from({ length: int(300) }, () => int(256)));
        else if (pick === 1) parts.push(allFrames[int(allFrames.length)]!);
        else if (pick === 2) {
          const f = allFrames[int(allFrames.length)]!;
          parts.push(f.subarray(0, int(f.length)));
        } else {
          const f = Uint8Array.from(allFrames[int(allFrames.length)]!);
          f[int(f.length)] = int(256);
          parts.push(f);
        }
      }
      const stream = Buffer.concat(parts);
      for (let at = 0; at < stream.length;) {
        const n = 1 + int(64);
        expect(() => parser.push(stream.subarray(at, at + n))).not.toThrow();
        at += n;
      }
      // After any garbage the parser resynchronizes. A corrupted length byte can swallow the first good
      // frame (and, 1 time in 256, pass its checksum), but the header of the second one always wins.
      const good = Buffer.from(allFrames[0]!);
      const tail = parser.push(Buffer.concat([Buffer.from('\n'), good, good]));
      const last = tail.filter((e) => e.kind === 'frame').at(-1);
      expect(last?.kind === 'frame' && hex(last.frame.data)).toBe(vectors.frames[0]!.data);
    }
  });

  it('decodeRpcData never throws on random data', () => {
    const rand = prng(7);
    for (let i = 0; i < 5000; i++) {
      const data = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
      expect(() => decodeRpcData(data)).not.toThrow();
    }
  });
});
