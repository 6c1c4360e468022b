import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { decode as msgpackDecode, encode as msgpackEncode } from '@msgpack/msgpack';
import protobuf from 'protobufjs';
import sparkplug from 'sparkplug-payload';
import { CodecTable, CodecError, SPARKPLUG_FILTER } from '../../electron/core/codecs/index.js';
import { cborCodec } from '../../electron/core/codecs/cbor.js';
import { msgpackCodec } from '../../electron/core/codecs/msgpack.js';
import { hexCodec } from '../../electron/core/codecs/hex.js';
import { base64Codec } from '../../electron/core/codecs/base64.js';
import { loadProto, lookupType, messageTypes, protobufCodec } from '../../electron/core/codecs/protobuf.js';
import { sparkplugCodec } from '../../electron/core/codecs/sparkplug.js';

const RESOURCES = path.resolve('resources');
const reading = { v: 24.96, unit: '°C', ok: true, n: [1, -2, 3], nested: { deep: { x: 7 } } };

function memorySettings(initial: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    get: <T>(key: string, fallback: T): T => (values.has(key) ? (values.get(key) as T) : fallback),
    set: (key: string, value: unknown) => void values.set(key, JSON.parse(JSON.stringify(value))),
  };
}

function tempProto(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-proto-'));
  const file = path.join(dir, 'reading.proto');
  fs.writeFileSync(file, text);
  return file;
}

const READING_PROTO = `syntax = "proto3";
package sensors;
message Reading { string id = 1; double v = 2; int64 at = 3; bytes raw = 4; Level level = 5; }
enum Level { LOW = 0; HIGH = 1; }
`;

describe('CBOR (cbor-x)', () => {
  it("decodes cbor-x's own encoding to plain JSON values", () => {
    expect(cborCodec.decode(Buffer.from(cborEncode(reading)))).toEqual(reading);
  });
  it('turns byte strings and 64-bit integers into JSON', () => {
    const bytes = Buffer.from(cborEncode({ raw: new Uint8Array([1, 2, 255]), big: 2n ** 60n, small: 5n }));
    expect(cborCodec.decode(bytes)).toEqual({ raw: 'AQL/', big: (2n ** 60n).toString(), small: 5 });
  });
  it('publishes CBOR that cbor-x reads back', () => {
    expect(cborDecode(cborCodec.encode(JSON.stringify(reading)))).toEqual(reading);
  });
  it('says what is wrong with a payload that is not CBOR, and with input that is not JSON', () => {
    expect(() => cborCodec.decode(Buffer.from([0x1c]))).toThrow(/not CBOR/);
    expect(() => cborCodec.encode('{oops')).toThrow(CodecError);
  });
});

describe('MessagePack (@msgpack/msgpack)', () => {
  it("decodes the library's own encoding", () => {
    expect(msgpackCodec.decode(Buffer.from(msgpackEncode(reading)))).toEqual(reading);
  });
  it('publishes MessagePack the library reads back', () => {
    expect(msgpackDecode(msgpackCodec.encode(JSON.stringify(reading)))).toEqual(reading);
  });
  it('refuses a truncated payload with a readable error', () => {
    const whole = Buffer.from(msgpackEncode(reading));
    expect(() => msgpackCodec.decode(whole.subarray(0, whole.length - 3))).toThrow(/not MessagePack/);
  });
});

describe('Protobuf (protobufjs, a .proto the user picks)', () => {
  const file = tempProto(READING_PROTO);
  const type = lookupType(loadProto(file), 'sensors.Reading', file);
  const codec = protobufCodec(type);
  const Reading = protobuf.parse(READING_PROTO).root.lookupType('sensors.Reading');

  it('lists the message types of the file', () => {
    expect(messageTypes(loadProto(file))).toEqual(['sensors.Reading']);
  });
  it('a file that is not a .proto is refused without quoting it (the desk may name any path)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-proto-'));
    const notProto = path.join(dir, 'token.txt');
    fs.writeFileSync(notProto, 'token_0123456789abcdef_SECRET\n');
    const undeclared = path.join(dir, 'undeclared.proto');
    fs.writeFileSync(undeclared, 'syntax = "proto3";\nmessage A { token_0123456789abcdef_SECRET b = 1; }\n');
    for (const [file, said] of [
      [notProto, /does not parse at line 1/],
      [undeclared, /names a type it neither declares nor imports/],
    ] as const) {
      let message = '';
      try {
        loadProto(file);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(said);
      expect(message).not.toContain('SECRET');
    }
  });

  it("decodes protobufjs's own encoding: 64-bit as numbers, bytes as base64, enums by name", () => {
    const wire = Reading.encode(
      Reading.fromObject({ id: 'a1', v: 24.96, at: 1_700_000_000_000, raw: Buffer.from([9, 8]), level: 1 }),
    ).finish();
    expect(codec.decode(Buffer.from(wire))).toEqual({ id: 'a1', v: 24.96, at: 1_700_000_000_000, raw: 'CQg=', level: 'HIGH' });
  });
  it('publishes a message protobufjs reads back, and refuses a field of the wrong type', () => {
    const out = Reading.toObject(Reading.decode(codec.encode('{"id":"b2","v":1.5}')));
    expect(out).toEqual({ id: 'b2', v: 1.5 });
    expect(() => codec.encode('{"v":"warm"}')).toThrow(/not a valid Reading: v: number expected/);
  });
  it('says which file and type are wrong', () => {
    expect(() => loadProto('/nonexistent/x.proto')).toThrow(/no such file/);
    expect(() => lookupType(loadProto(file), 'sensors.Nope', file)).toThrow(/has no message type sensors.Nope/);
    expect(() => loadProto(tempProto('message {'))).toThrow(/not a usable .proto/);
  });
});

describe('Sparkplug B (the shipped schema, vectors from sparkplug-payload)', () => {
  it('decodes an NDATA payload made by sparkplug-payload', () => {
    const spb = sparkplug.get('spBv1.0')!;
    const wire = spb.encodePayload({
      timestamp: 1_700_000_000_123,
      seq: 4,
      metrics: [
        { name: 'Temperature', type: 'Double', value: 24.96, timestamp: 1_700_000_000_100 },
        { name: 'Running', type: 'Boolean', value: true },
        { name: 'Count', type: 'UInt64', value: 42 },
        { name: 'Label', type: 'String', value: 'line 3' },
      ],
    });
    const decoded = sparkplugCodec(RESOURCES).decode(Buffer.from(wire)) as {
      timestamp: number;
      seq: number;
      metrics: Record<string, unknown>[];
    };
    expect(decoded.timestamp).toBe(1_700_000_000_123);
    expect(decoded.seq).toBe(4);
    expect(decoded.metrics).toEqual([
      { name: 'Temperature', datatype: 10, double_value: 24.96, timestamp: 1_700_000_000_100 },
      { name: 'Running', datatype: 11, boolean_value: true },
      { name: 'Count', datatype: 8, long_value: 42 },
      { name: 'Label', datatype: 12, string_value: 'line 3' },
    ]);
  });
});

describe('hex and base64 publishing', () => {
  it('accepts spaced and 0x-prefixed hex, refuses odd or foreign digits', () => {
    expect(hexCodec.encode('0x01 0A ff')).toEqual(Buffer.from([1, 10, 255]));
    expect(() => hexCodec.encode('abc')).toThrow(/odd count/);
    expect(() => hexCodec.encode('zz')).toThrow(/only 0-9/);
  });
  it('accepts standard and URL-safe base64, refuses what Node would silently skip', () => {
    expect(base64Codec.encode('AQL/')).toEqual(Buffer.from([1, 2, 255]));
    expect(base64Codec.encode('AQL_')).toEqual(Buffer.from([1, 2, 255]));
    expect(() => base64Codec.encode('AQ*L')).toThrow(/not valid base64/);
  });
});

describe('CodecTable: chosen per topic filter, remembered', () => {
  it('first matching rule wins, JSON is the default, Sparkplug B is automatic for spBv1.0/#', () => {
    const table = new CodecTable(memorySettings(), RESOURCES);
    table.save([
      { filter: 'lab/cbor/#', codec: 'cbor' },
      { filter: 'lab/+/raw', codec: 'hex' },
    ]);
    expect(table.forTopic('lab/cbor/t1')?.name).toBe('cbor');
    expect(table.forTopic('lab/x/raw')?.name).toBe('hex');
    expect(table.forTopic('lab/x/json')).toBeNull();
    expect(table.forTopic('spBv1.0/g/NDATA/n1')?.name).toBe('sparkplugb');
    expect(table.list().at(-1)).toEqual({ filter: SPARKPLUG_FILTER, codec: 'sparkplugb', builtIn: true });
  });
  it('remembers the rules in the settings and reads them back in a new table', () => {
    const settings = memorySettings();
    new CodecTable(settings, RESOURCES).save([{ filter: 'm/#', codec: 'msgpack' }]);
    expect(settings.values.get('codecs')).toEqual([{ filter: 'm/#', codec: 'msgpack' }]);
    expect(new CodecTable(settings, RESOURCES).forTopic('m/1')?.name).toBe('msgpack');
  });
  it('a rule for spBv1.0/# replaces the built-in one', () => {
    const table = new CodecTable(memorySettings(), RESOURCES);
    table.save([{ filter: SPARKPLUG_FILTER, codec: 'hex' }]);
    expect(table.forTopic('spBv1.0/g/NBIRTH/n')?.name).toBe('hex');
    expect(table.list()).toEqual([{ filter: SPARKPLUG_FILTER, codec: 'hex' }]);
  });
  it('a .proto that cannot be read fails the save and keeps the rules that were there', () => {
    const settings = memorySettings();
    const table = new CodecTable(settings, RESOURCES);
    table.save([{ filter: 'a/#', codec: 'cbor' }]);
    expect(() => table.save([{ filter: 'p/#', codec: 'protobuf', protoFile: '/nonexistent.proto', messageType: 'x.Y' }])).toThrow(
      /no such file/,
    );
    expect(settings.values.get('codecs')).toEqual([{ filter: 'a/#', codec: 'cbor' }]);
    expect(table.forTopic('a/1')?.name).toBe('cbor');
  });
  it('a saved .proto that went missing falls back to JSON for its topics and says why', () => {
    const warnings: string[] = [];
    const settings = memorySettings({
      codecs: [{ filter: 'p/#', codec: 'protobuf', protoFile: '/gone.proto', messageType: 'x.Y' }],
    });
    const table = new CodecTable(settings, RESOURCES, (w) => warnings.push(w));
    expect(table.forTopic('p/1')).toBeNull();
    expect(warnings[0]).toMatch(/codec for p\/#: cannot read \/gone.proto/);
  });
});
