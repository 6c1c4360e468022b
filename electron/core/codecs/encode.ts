import { ApiError } from '../../api.js';
import type { EncodingName } from '../../api/codecs.js';
import { base64Codec } from './base64.js';
import { cborCodec } from './cbor.js';
import { hexCodec } from './hex.js';
import { msgpackCodec } from './msgpack.js';
import { loadProto, lookupType, protobufCodec } from './protobuf.js';
import { CodecError, type PayloadCodec } from './types.js';

const byName: Record<Exclude<EncodingName, 'json' | 'text' | 'protobuf'>, PayloadCodec> = {
  hex: hexCodec,
  base64: base64Codec,
  cbor: cborCodec,
  msgpack: msgpackCodec,
};

export interface PublishEncodingInput {
  encoding?: EncodingName | undefined;
  protoFile?: string | undefined;
  messageType?: string | undefined;
  data: string;
}

/**
 * The bytes of a publish with an encoding other than JSON/text (messages.publish's `encoding`), or null for those
 * two (the session's own path: JSON checks, the Beebotte envelope). Throws CodecError saying what is wrong.
 */
export function encodePublish(input: PublishEncodingInput): Buffer | null {
  const { encoding } = input;
  if (encoding === undefined || encoding === 'json' || encoding === 'text') return null;
  if (encoding === 'protobuf') {
    if (!input.protoFile || !input.messageType) throw new CodecError('Protobuf needs the .proto file and the message type');
    return protobufCodec(lookupType(loadProto(input.protoFile), input.messageType, input.protoFile)).encode(input.data);
  }
  return byName[encoding].encode(input.data);
}

/**
 * encodePublish for a profile: Beebotte and the sandbox take JSON in a `{"data": …}` envelope, so other encodings
 * are for generic brokers. Errors are the contract's invalid_params, with what to fix.
 */
export function encodePublishFor(kind: 'sandbox' | 'beebotte' | 'mqtt', input: PublishEncodingInput): Buffer | null {
  if (input.encoding === undefined || input.encoding === 'json') return null;
  if (input.encoding === 'text') return kind === 'mqtt' ? Buffer.from(input.data, 'utf8') : null;
  if (kind !== 'mqtt') {
    throw new ApiError(
      'invalid_params',
      `${kind === 'beebotte' ? 'Beebotte' : 'the sandbox'} takes JSON ({"data": …}): publish ${input.encoding} to a generic MQTT broker`,
    );
  }
  try {
    return encodePublish(input);
  } catch (err) {
    if (err instanceof CodecError) throw new ApiError('invalid_params', err.message);
    throw err;
  }
}
