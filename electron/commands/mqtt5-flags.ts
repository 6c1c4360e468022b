/**
 * The MQTT 5 and QoS 2 flags of `apiary pub` and `apiary sub`: generic brokers only (Beebotte speaks MQTT 3.1.1
 * with QoS 0/1, and says so here rather than failing on the wire).
 */
import type { MessageProps, OutgoingProperties } from '../api.js';
import { toPublishProperties } from '../core/session/properties.js';
import { usage } from './cli-io.js';
import { type MqttTarget } from './mqtt-flags.js';

export { fromPacket, reasonText } from '../core/session/properties.js';
export type { MessageProps };

export const MQTT5_OPTIONS = {
  'mqtt-version': { type: 'string' },
} as const;

export const PUBLISH5_OPTIONS = {
  'user-property': { type: 'string', multiple: true },
  'content-type': { type: 'string' },
  'response-topic': { type: 'string' },
  'correlation-data': { type: 'string' },
  'message-expiry': { type: 'string' },
  retain: { type: 'boolean', default: false },
} as const;

export const MQTT5_FLAGS_HELP = `  --mqtt-version 3.1.1|5    protocol (default 3.1.1, or the profile's); 5 for generic brokers only`;

export const PUBLISH5_FLAGS_HELP = `MQTT 5 (with --mqtt-version 5):
  --user-property K=V       a user property (repeatable; a key may repeat)
  --content-type T          e.g. application/json
  --response-topic T        where the receiver should reply (request/response)
  --correlation-data D      text the reply carries back, to match it to this request
  --message-expiry S        seconds the broker keeps it for subscribers that are not there yet
  --retain                  the broker keeps it as the topic's retained message`;

/** 4 (MQTT 3.1.1) or 5 from --mqtt-version; undefined keeps the profile's (or 3.1.1). */
export function parseMqttVersion(text: string | undefined): 4 | 5 | undefined {
  if (text === undefined) return undefined;
  if (text === '5' || text === '5.0') return 5;
  if (text === '3.1.1' || text === '4' || text === '3') return 4;
  throw usage(`--mqtt-version must be 3.1.1 or 5, got "${text.slice(0, 10)}"`);
}

/** Sets the protocol version on the target; Beebotte refuses MQTT 5 here, with the reason. */
export function applyMqttVersion(target: MqttTarget, version: 4 | 5 | undefined): void {
  if (version === undefined) return;
  if (version === 5 && target.beebotte) throw usage('Beebotte speaks MQTT 3.1.1 only: --mqtt-version 5 needs a generic broker');
  target.options.protocolVersion = version;
}

/** QoS 0, 1 or 2; 2 only on a generic broker. */
export function parseQos012(text: string, target: Pick<MqttTarget, 'beebotte'>): 0 | 1 | 2 {
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  if (text === '2') {
    if (target.beebotte) throw usage('--qos 2: Beebotte supports QoS 0 and 1 only (MQTT 3.1.1)');
    return 2;
  }
  throw usage(`--qos must be 0, 1 or 2, got "${text.slice(0, 10)}"`);
}

interface Publish5Values {
  'user-property'?: string[] | undefined;
  'content-type'?: string | undefined;
  'response-topic'?: string | undefined;
  'correlation-data'?: string | undefined;
  'message-expiry'?: string | undefined;
}

/** The MQTT 5 properties the flags ask for (undefined: none); they need --mqtt-version 5 (or an MQTT 5 profile). */
export function publishProperties(values: Publish5Values, target: MqttTarget): ReturnType<typeof toPublishProperties> {
  const props: OutgoingProperties = {};
  for (const pair of values['user-property'] ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw usage(`--user-property takes KEY=VALUE, got "${pair.slice(0, 40)}"`);
    (props.userProperties ??= []).push([pair.slice(0, eq), pair.slice(eq + 1)]);
  }
  if (values['content-type'] !== undefined) props.contentType = values['content-type'];
  if (values['response-topic'] !== undefined) {
    if (/[+#]/.test(values['response-topic'])) throw usage('--response-topic is a topic: no + or #');
    props.responseTopic = values['response-topic'];
  }
  if (values['correlation-data'] !== undefined) props.correlationData = values['correlation-data'];
  if (values['message-expiry'] !== undefined) {
    const text = values['message-expiry'];
    if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffff_ffff)
      throw usage(`--message-expiry takes whole seconds, got "${text.slice(0, 20)}"`);
    props.messageExpiryInterval = Number(text);
  }
  if (Object.keys(props).length === 0) return undefined;
  if (target.options.protocolVersion !== 5) {
    throw usage(
      target.beebotte
        ? 'Beebotte speaks MQTT 3.1.1: MQTT 5 properties need a generic broker'
        : 'MQTT 5 properties need --mqtt-version 5 (or a profile set to MQTT 5)',
    );
  }
  return toPublishProperties(props);
}
