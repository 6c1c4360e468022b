import { CodecError, type PayloadCodec } from './types.js';

/** Hex: the payload as pairs of hex digits; publishing accepts spaces, newlines and a 0x prefix between bytes. */
export const hexCodec: PayloadCodec = {
  name: 'hex',
  decode: (payload) => payload.toString('hex'),
  encode: (text) => {
    const clean = text.replace(/0x/gi, '').replace(/[\s:,]/g, '');
    if (!/^[0-9a-f]*$/i.test(clean)) throw new CodecError('hex payload: only 0-9 and a-f (spaces and 0x allowed between bytes)');
    if (clean.length % 2 !== 0)
      throw new CodecError(`hex payload: ${clean.length} digits, an odd count (each byte is two digits)`);
    return Buffer.from(clean, 'hex');
  },
};
