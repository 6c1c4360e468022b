import type { CodecName } from '../../api/codecs.js';

export type { CodecName };

/**
 * One payload format. `decode` gives the payload's decoded form (plain JSON values: see json-safe.ts) or throws
 * with a readable message; `encode` turns what the composer sends (text) into the bytes to publish.
 */
export interface PayloadCodec {
  readonly name: CodecName;
  decode(payload: Buffer): unknown;
  encode(text: string): Buffer;
}

/** A codec's readable failure: what was wrong with the payload or the input, never a stack. */
export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

/** The composer's text as a JSON value, for the structured codecs (CBOR, MessagePack, Protobuf). */
export function parseJsonInput(text: string, codec: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CodecError(`${codec} publishes a JSON value: ${(err as Error).message}`);
  }
}
