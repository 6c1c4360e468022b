import { describe, expect, it } from 'vitest';
import { encode as cborEncode, decode as cborDecode } from 'cbor-x';
import { encode as msgpackEncode } from '@msgpack/msgpack';
import { decodePayload, PREVIEW_BYTES } from '../../electron/core/codecs/decode.js';
import { cborCodec } from '../../electron/core/codecs/cbor.js';
import { hexCodec } from '../../electron/core/codecs/hex.js';
import { msgpackCodec } from '../../electron/core/codecs/msgpack.js';
import { encodePublishFor } from '../../electron/core/codecs/encode.js';
import { defaultNumericPath, numberAt, numericFields } from '../../electron/common/numeric-fields.js';

describe('decode on arrival with the codec of the topic', () => {
  it('a CBOR payload is stored as bytes and shown as its JSON form, parsed once for the rules', () => {
    const d = decodePayload(Buffer.from(cborEncode({ v: 24.96, unit: 'C' })), cborCodec);
    expect(d).toMatchObject({
      kind: 'binary',
      shownKind: 'json',
      codec: 'cbor',
      preview: '{"v":24.96,"unit":"C"}',
      clipped: false,
    });
    expect(d.json).toEqual({ v: 24.96, unit: 'C' });
  });
  it('a CBOR {"data": …} carries its Beebotte envelope like JSON does', () => {
    expect(decodePayload(Buffer.from(msgpackEncode({ data: 21.5, ts: 1 })), msgpackCodec).envelope).toEqual({
      data: 21.5,
      ts: 1,
    });
  });
  it('a payload the codec cannot read is shown as it came, with why', () => {
    const d = decodePayload(Buffer.from('{"v":1}'), msgpackCodec);
    expect(d.kind).toBe('json'); // as it came: JSON text
    expect(d.codec).toBe('msgpack');
    expect(d.codecError).toMatch(/not MessagePack/);
  });
  it('a hex view is text for the UI, bytes for the store, and bounded', () => {
    const d = decodePayload(Buffer.alloc(PREVIEW_BYTES, 0xab), hexCodec);
    expect(d).toMatchObject({ kind: 'binary', shownKind: 'text', clipped: true, codec: 'hex' });
    expect(d.preview).toHaveLength(PREVIEW_BYTES);
  });
  it('no codec: JSON stays the default path', () => {
    const d = decodePayload(Buffer.from('{"v":2}'), null);
    expect(d).toMatchObject({ kind: 'json', json: { v: 2 } });
    expect(d.codec).toBeUndefined();
  });
});

describe('publishing with an encoding', () => {
  it('CBOR for a generic broker: bytes cbor-x reads back', () => {
    const out = encodePublishFor('mqtt', { encoding: 'cbor', data: '{"v":1.5}' });
    expect(cborDecode(out!)).toEqual({ v: 1.5 });
  });
  it('JSON and absent leave the session its own path; text is the bytes as typed', () => {
    expect(encodePublishFor('mqtt', { data: '{}' })).toBeNull();
    expect(encodePublishFor('mqtt', { encoding: 'json', data: '{}' })).toBeNull();
    expect(encodePublishFor('mqtt', { encoding: 'text', data: 'hi' })).toEqual(Buffer.from('hi'));
  });
  it('Beebotte and the sandbox refuse other encodings, saying where they work', () => {
    expect(() => encodePublishFor('beebotte', { encoding: 'cbor', data: '{}' })).toThrow(
      /Beebotte takes JSON.*generic MQTT broker/,
    );
    expect(() => encodePublishFor('sandbox', { encoding: 'hex', data: '00' })).toThrow(/sandbox takes JSON/);
  });
  it('bad input is an invalid_params error with what to fix', () => {
    expect(() => encodePublishFor('mqtt', { encoding: 'hex', data: 'abc' })).toThrow(
      expect.objectContaining({ code: 'invalid_params' }),
    );
    expect(() => encodePublishFor('mqtt', { encoding: 'protobuf', data: '{}' })).toThrow(/needs the .proto file/);
  });
});

describe('numeric fields for charts', () => {
  it('picks the first numeric field of {"v": …}, the data of an envelope, or the bare number', () => {
    expect(defaultNumericPath({ v: 24.96 })).toBe('v');
    expect(defaultNumericPath({ id: 'x', data: 21.5 })).toBe('data');
    expect(defaultNumericPath({ name: 's', m: { t: [{ c: 3 }] } })).toBe('m.t[0].c');
    expect(defaultNumericPath(12)).toBe('');
    expect(defaultNumericPath('12.5')).toBe('');
    expect(defaultNumericPath({ s: 'x' })).toBeNull();
  });
  it('lists numeric fields with paths json-path reads back', () => {
    const value = { v: 1, 'odd key': 2, nested: { w: 3 }, list: [4], s: 'no' };
    const fields = numericFields(value);
    expect(fields).toEqual(['v', '$["odd key"]', 'nested.w', 'list[0]']);
    expect(fields.map((f) => numberAt(value, f))).toEqual([1, 2, 3, 4]);
  });
});
