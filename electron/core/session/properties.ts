import type { IClientPublishOptions, IPublishPacket } from 'mqtt';
import type { MessageProps, OutgoingProperties } from '../../api.js';

type PublishProperties = NonNullable<IClientPublishOptions['properties']>;
type UserProperties = Record<string, string | string[]>;

/** MQTT 5 user properties as mqtt.js takes them: one key, one value or several (a repeated key keeps its order). */
export function toUserProperties(pairs: readonly (readonly [string, string])[]): UserProperties {
  const out: UserProperties = Object.create(null) as UserProperties;
  for (const [key, value] of pairs) {
    const known = out[key];
    if (known === undefined) out[key] = value;
    else out[key] = Array.isArray(known) ? [...known, value] : [known, value];
  }
  return out;
}

/** The outgoing properties as mqtt.js's publish options take them (undefined when there are none). */
export function toPublishProperties(props: OutgoingProperties | undefined): PublishProperties | undefined {
  if (!props) return undefined;
  const out: PublishProperties = {};
  if (props.userProperties?.length) out.userProperties = toUserProperties(props.userProperties);
  if (props.contentType !== undefined) out.contentType = props.contentType;
  if (props.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = props.payloadFormatIndicator;
  if (props.responseTopic !== undefined) out.responseTopic = props.responseTopic;
  if (props.correlationData !== undefined) out.correlationData = Buffer.from(props.correlationData, 'utf8');
  if (props.messageExpiryInterval !== undefined) out.messageExpiryInterval = props.messageExpiryInterval;
  return Object.keys(out).length ? out : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The properties of a received PUBLISH, as stored with the message; undefined when it had none (MQTT 3.1.1,
 * or an MQTT 5 message without any). The topic alias is not kept: mqtt.js has already resolved it into the topic.
 */
export function fromPacket(packet: Pick<IPublishPacket, 'properties'>): MessageProps | undefined {
  const p = packet.properties;
  if (!p) return undefined;
  const out: MessageProps = {};
  if (p.userProperties) {
    const pairs: [string, string][] = [];
    for (const [key, value] of Object.entries(p.userProperties)) {
      for (const v of Array.isArray(value) ? value : [value]) pairs.push([key, String(v)]);
    }
    if (pairs.length) out.userProperties = pairs;
  }
  if (p.contentType !== undefined) out.contentType = p.contentType;
  if (p.payloadFormatIndicator !== undefined) out.payloadFormatIndicator = Boolean(p.payloadFormatIndicator);
  if (p.responseTopic !== undefined) out.responseTopic = p.responseTopic;
  if (p.correlationData !== undefined) {
    const bytes = Buffer.from(p.correlationData);
    out.correlationData = bytes.toString('hex');
    try {
      out.correlationText = utf8.decode(bytes);
    } catch {
      // binary correlation data: the hex says it
    }
  }
  if (p.messageExpiryInterval !== undefined) out.messageExpiryInterval = p.messageExpiryInterval;
  if (p.subscriptionIdentifier !== undefined) {
    out.subscriptionIdentifier = Array.isArray(p.subscriptionIdentifier) ? p.subscriptionIdentifier : [p.subscriptionIdentifier];
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * MQTT 5 reason codes (spec §2.4) in words, for PUBACK/PUBREC/SUBACK/UNSUBACK/DISCONNECT/CONNACK. Codes below
 * 0x80 are successes; the rest say why the broker refused.
 */
const REASONS: Record<number, string> = {
  0x00: 'success',
  0x01: 'granted QoS 1',
  0x02: 'granted QoS 2',
  0x04: 'disconnect with will message',
  0x10: 'no matching subscribers',
  0x11: 'no subscription existed',
  0x80: 'unspecified error',
  0x81: 'malformed packet',
  0x82: 'protocol error',
  0x83: 'implementation specific error',
  0x84: 'unsupported protocol version',
  0x85: 'client identifier not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x89: 'server busy',
  0x8a: 'banned',
  0x8b: 'server shutting down',
  0x8c: 'bad authentication method',
  0x8d: 'keep alive timeout',
  0x8e: 'session taken over',
  0x8f: 'topic filter invalid',
  0x90: 'topic name invalid',
  0x91: 'packet identifier in use',
  0x92: 'packet identifier not found',
  0x93: 'receive maximum exceeded',
  0x94: 'topic alias invalid',
  0x95: 'packet too large',
  0x96: 'message rate too high',
  0x97: 'quota exceeded',
  0x98: 'administrative action',
  0x99: 'payload format invalid',
  0x9a: 'retain not supported',
  0x9b: 'QoS not supported',
  0x9c: 'use another server',
  0x9d: 'server moved',
  0x9e: 'shared subscriptions not supported',
  0x9f: 'connection rate exceeded',
  0xa0: 'maximum connect time',
  0xa1: 'subscription identifiers not supported',
  0xa2: 'wildcard subscriptions not supported',
};

/** The words of a reason code ("not authorized"), or "refused" for one the spec does not name. */
export function reasonName(code: number): string {
  return REASONS[code] ?? 'refused';
}

/** "not authorized (0x87)"; an unknown code is still shown, in hex. */
export function reasonText(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const words = REASONS[code];
  return words ? `${words} (${hex})` : `reason code ${hex}`;
}
