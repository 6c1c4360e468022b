import { CodecError, type PayloadCodec } from './types.js';

/** Base64 (standard or URL-safe alphabet): Node's decoder skips bad characters silently, so the text is checked first. */
export const base64Codec: PayloadCodec = {
  name: 'base64',
  decode: (payload) => payload.toString('base64'),
  encode: (text) => {
    const clean = text.replace(/\s/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
      throw new CodecError('base64 payload: not valid base64 (A-Z, a-z, 0-9, + / or - _, = padding)');
    }
    return Buffer.from(clean, clean.includes('-') || clean.includes('_') ? 'base64url' : 'base64');
  },
};
