import type { PayloadCodec } from './types.js';

const lenient = new TextDecoder('utf-8');

/** UTF-8 text, invalid bytes shown as U+FFFD (the payload is kept as it arrived). */
export const textCodec: PayloadCodec = {
  name: 'text',
  decode: (payload) => lenient.decode(payload),
  encode: (text) => Buffer.from(text, 'utf8'),
};

/** JSON: the default. Decoding here is the slow path's (a stored message re-read); ingest parses in decode.ts. */
export const jsonCodec: PayloadCodec = {
  name: 'json',
  decode: (payload) => JSON.parse(payload.toString('utf8')) as unknown,
  encode: (text) => Buffer.from(text, 'utf8'),
};
