import { describe, expect, it } from 'vitest';
import { decodePayload, PREVIEW_BYTES } from '../../electron/core/codecs/decode.js';

describe('decode once on the hot path', () => {
  it('reads the Beebotte envelope', () => {
    const d = decodePayload(Buffer.from('{"data":21.5,"write":true,"ts":1700000000000}'));
    expect(d.kind).toBe('json');
    expect(d.envelope).toEqual({ data: 21.5, write: true, ts: 1700000000000 });
  });

  it('tells text, JSON without envelope and binary apart', () => {
    expect(decodePayload(Buffer.from('hello')).kind).toBe('text');
    const plain = decodePayload(Buffer.from('{"a":1}'));
    expect(plain.kind).toBe('json');
    expect(plain.envelope).toBeUndefined();
    expect(decodePayload(Buffer.from([0xff, 0xfe, 0x00, 0x01])).kind).toBe('binary');
    expect(decodePayload(Buffer.from('{"data": broken')).kind).toBe('text');
  });

  it('clips previews of large payloads and says so', () => {
    const big = Buffer.from(JSON.stringify({ data: 'x'.repeat(1024 * 1024) }));
    const d = decodePayload(big);
    expect(d.size).toBe(big.length);
    expect(d.clipped).toBe(true);
    expect(d.preview.length).toBeLessThanOrEqual(PREVIEW_BYTES);
  });

  it('never throws on invalid UTF-8 or deep nesting', () => {
    expect(() => decodePayload(Buffer.from([0xc3, 0x28, 0x41]))).not.toThrow();
    const deep = Buffer.from('['.repeat(100_000) + ']'.repeat(100_000));
    expect(() => decodePayload(deep)).not.toThrow();
  });
});
