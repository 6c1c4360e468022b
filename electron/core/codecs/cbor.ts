import { Decoder, Encoder } from 'cbor-x';
import { toJsonSafe } from './json-safe.js';
import { CodecError, parseJsonInput, type PayloadCodec } from './types.js';

// mapsAsObjects: CBOR maps with text keys become plain objects (what a JSON path reads); useRecords off: plain
// RFC 8949 CBOR, never cbor-x's own record extension, so other devices can read what we publish
const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true });

export const cborCodec: PayloadCodec = {
  name: 'cbor',
  decode: (payload) => {
    try {
      return toJsonSafe(decoder.decode(payload));
    } catch (err) {
      throw new CodecError(`not CBOR: ${(err as Error).message}`);
    }
  },
  encode: (text) => Buffer.from(encoder.encode(parseJsonInput(text, 'CBOR'))),
};
