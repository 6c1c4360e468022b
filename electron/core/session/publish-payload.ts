/** What a publish turns into before anything is sent: the features its profile allows, and the payload bytes. */
import type { ParsedParamsOf } from '../../api.js';
import { ApiError } from '../../api.js';
import { buildEnvelope } from '../../common/beebotte-envelope.js';
import { checkPublishTopic } from '../../common/beebotte-names.js';
import { encodePublishFor } from '../codecs/encode.js';
import type { Profile } from '../profiles/profile.js';

/**
 * QoS 2 and MQTT 5 properties are for generic brokers: Beebotte and the sandbox speak MQTT 3.1.1 with QoS 0/1,
 * and a generic 3.1.1 profile has no properties to send.
 */
export function checkMqttFeatures(profile: Profile, input: Pick<ParsedParamsOf<'messages.publish'>, 'qos' | 'properties'>): void {
  const where = profile.kind === 'beebotte' ? 'Beebotte' : 'the sandbox';
  if (profile.kind !== 'mqtt') {
    if (input.qos === 2) throw new ApiError('invalid_params', `${where} takes QoS 0 and 1 only (MQTT 3.1.1): publish with QoS 1`);
    if (input.properties) throw new ApiError('invalid_params', `${where} speaks MQTT 3.1.1: MQTT 5 properties need a generic MQTT 5 profile`);
    return;
  }
  if (input.properties && profile.protocolVersion !== 5) {
    throw new ApiError('invalid_params', `MQTT 5 properties need MQTT 5: set ${profile.name}'s protocol version to 5`);
  }
}

/** Beebotte rules enforced before anything is sent: topic shape, QoS 0/1, the {"data": …} envelope. */
export function encodePayload(profile: Profile, input: ParsedParamsOf<'messages.publish'>): Buffer {
  const beebotte = profile.kind !== 'mqtt';
  if (beebotte) {
    const problem = checkPublishTopic(input.topic);
    if (problem) throw new ApiError('invalid_params', problem);
  } else if (/[+#]/.test(input.topic)) {
    throw new ApiError('invalid_params', 'a publish topic cannot contain the wildcards + or #');
  }
  // hex, base64, CBOR, MessagePack, Protobuf (codecs/); JSON and text go on below
  const encoded = encodePublishFor(profile.kind, input);
  if (encoded) return encoded;
  if (input.raw) return Buffer.from(input.data, 'utf8');
  let data: unknown;
  try {
    data = JSON.parse(input.data);
  } catch (err) {
    throw new ApiError('invalid_params', `data is not valid JSON (${(err as Error).message}); send it as raw text instead`);
  }
  if (!beebotte) return Buffer.from(JSON.stringify(data), 'utf8');
  return Buffer.from(JSON.stringify(buildEnvelope(data, { write: input.write, ispublic: input.ispublic })), 'utf8');
}
