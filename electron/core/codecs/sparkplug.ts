import path from 'node:path';
import { loadProto, lookupType, protobufCodec } from './protobuf.js';
import type { PayloadCodec } from './types.js';

/**
 * Sparkplug B: the Eclipse Tahu schema (resources/sparkplug_b.proto, shipped as text) decoded with protobufjs.
 * The sparkplug-payload package pins protobufjs 6 and hands back Long objects; one protobufjs (8) for both
 * Protobuf and Sparkplug keeps the decoded form plain (numbers, base64 bytes). Its encoder makes our test vectors.
 */
export const SPARKPLUG_FILTER = 'spBv1.0/#';
export const SPARKPLUG_TYPE = 'org.eclipse.tahu.protobuf.Payload';

export function sparkplugCodec(resourcesDir: string): PayloadCodec {
  const file = path.join(resourcesDir, 'sparkplug_b.proto');
  return protobufCodec(lookupType(loadProto(file), SPARKPLUG_TYPE, file), 'sparkplugb');
}
