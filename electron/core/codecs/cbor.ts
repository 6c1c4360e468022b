import type { Decoder, Encoder } from 'cbor-x';
import { toJsonSafe } from './json-safe.js';
import { lazyLibrary } from './lazy-lib.js';
import { CodecError, parseJsonInput, type PayloadCodec } from './types.js';

const cborX = lazyLibrary<typeof import('cbor-x')>('cbor-x');
let coders: { decoder: Decoder; encoder: Encoder } | undefined;

// mapsAsObjects: CBOR maps with text keys become plain objects (what a JSON path reads); useRecords off: plain
// RFC 8949 CBOR, never cbor-x's own record extension, so other devices can read what we publish
function cbor(): { decoder: Decoder; encoder: Encoder } {
  return (coders ??= {
    decoder: new (cborX().Decoder)({ mapsAsObjects: true, useRecords: false }),
    encoder: new (cborX().Encoder)({ useRecords: false, mapsAsObjects: true }),
  });
}

export const cborCodec: PayloadCodec = {
  name: 'cbor',
  decode: (payload) => {
    try {
      return toJsonSafe(cbor().decoder.decode(payload));
    } catch (err) {
      throw new CodecError(`not CBOR: ${(err as Error).message}`);
    }
  },
  encode: (text) => Buffer.from(cbor().encoder.encode(parseJsonInput(text, 'CBOR'))),
};
