import { toJsonSafe } from './json-safe.js';
import { lazyLibrary } from './lazy-lib.js';
import { CodecError, parseJsonInput, type PayloadCodec } from './types.js';

const msgpack = lazyLibrary<typeof import('@msgpack/msgpack')>('@msgpack/msgpack');

export const msgpackCodec: PayloadCodec = {
  name: 'msgpack',
  decode: (payload) => {
    try {
      // useBigInt64: 64-bit integers arrive exact; toJsonSafe keeps them numbers when they fit
      return toJsonSafe(msgpack().decode(payload, { useBigInt64: true, maxStrLength: 16 << 20, maxBinLength: 16 << 20 }));
    } catch (err) {
      throw new CodecError(`not MessagePack: ${(err as Error).message}`);
    }
  },
  encode: (text) => Buffer.from(msgpack().encode(parseJsonInput(text, 'MessagePack'))),
};
