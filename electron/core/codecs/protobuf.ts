import fs from 'node:fs';
import type * as protobuf from 'protobufjs';
import { toJsonSafe } from './json-safe.js';
import { lazyLibrary } from './lazy-lib.js';
import { CodecError, parseJsonInput, type CodecName, type PayloadCodec } from './types.js';

const protobufjs = lazyLibrary<typeof protobuf>('protobufjs');

/** A .proto the user picks is read whole: bounded, so a wrong pick (a disk image) fails fast and clearly. */
const MAX_PROTO_BYTES = 1024 * 1024;

// decoded form: 64-bit integers as numbers (charts and rules compare numbers), bytes as base64, enums by name
const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, bytes: String, defaults: false, arrays: true };

/** Parses a .proto from a path the user gave. Throws CodecError saying what is wrong with the file. */
export function loadProto(protoFile: string): protobuf.Root {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(protoFile);
  } catch {
    throw new CodecError(`cannot read ${protoFile}: no such file (pick the .proto again)`);
  }
  if (!stat.isFile()) throw new CodecError(`${protoFile} is not a file`);
  if (stat.size > MAX_PROTO_BYTES) throw new CodecError(`${protoFile} is larger than 1 MB: is it a .proto?`);
  try {
    const root = new (protobufjs().Root)();
    // imports resolve next to the file; protobufjs's bundled google/protobuf/*.proto are known to it
    root.loadSync(protoFile, { keepCase: true });
    root.resolveAll();
    return root;
  } catch (err) {
    // the parser quotes what it choked on: the path may name any file (a key, a token), so only the line is told
    const line = /line (\d+)/.exec((err as Error).message)?.[1];
    throw new CodecError(
      line
        ? `${protoFile} is not a usable .proto: it does not parse at line ${line}`
        : `${protoFile} is not a usable .proto: it names a type it neither declares nor imports`,
    );
  }
}

/** Every message type a .proto declares, fully qualified (the picker lists them). */
export function messageTypes(root: protobuf.Root): string[] {
  const out: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobufjs().Type) out.push(nested.fullName.replace(/^\./, ''));
      if (nested instanceof protobufjs().Namespace || nested instanceof protobufjs().Type) walk(nested);
    }
  };
  walk(root);
  return out.sort();
}

export function lookupType(root: protobuf.Root, messageType: string, where: string): protobuf.Type {
  try {
    return root.lookupType(messageType);
  } catch {
    throw new CodecError(`${where} has no message type ${messageType}`);
  }
}

/** A codec for one message type of a loaded schema. */
export function protobufCodec(type: protobuf.Type, name: CodecName = 'protobuf'): PayloadCodec {
  return {
    name,
    decode: (payload) => {
      let message: protobuf.Message;
      try {
        message = type.decode(payload);
      } catch (err) {
        throw new CodecError(`not a ${type.name} message: ${(err as Error).message}`);
      }
      return toJsonSafe(type.toObject(message, TO_OBJECT));
    },
    encode: (text) => {
      const value = parseJsonInput(text, `Protobuf (${type.name})`);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new CodecError(`Protobuf publishes an object with the fields of ${type.name}`);
      }
      const problem = type.verify(value);
      if (problem) throw new CodecError(`not a valid ${type.name}: ${problem}`);
      return Buffer.from(type.encode(type.fromObject(value)).finish());
    },
  };
}
