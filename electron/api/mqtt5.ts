/**
 * The MQTT 5 part of the contract: the properties a UI sends with a publish and reads on a message, a generic
 * profile's session options (keepalive, clean start, session expiry, limits, last will), and live subscriptions
 * with their options. Beebotte and the sandbox speak MQTT 3.1.1 with QoS 0/1: the core refuses these there.
 * Like api.ts, it imports nothing from the core.
 */
import { z } from 'zod';
import { id, topic, topicFilter } from './primitives.js';

const u32 = z.number().int().min(0).max(0xffff_ffff);

/** Publish QoS as the contract takes it: 2 only for a generic broker (the core refuses it elsewhere). */
export const PublishQos = z.union([z.literal(0), z.literal(1), z.literal(2)]);

/** MQTT 5 properties of an outgoing message (a publish, or a profile's last will). */
export const OutgoingProperties = z
  .object({
    /** pairs in order; a key may repeat (MQTT 5 allows it) */
    userProperties: z
      .array(z.tuple([z.string().min(1).max(1024), z.string().max(4096)]))
      .max(64)
      .optional(),
    contentType: z.string().min(1).max(256).optional(),
    /** true: the payload is UTF-8 text (payload format indicator 1) */
    payloadFormatIndicator: z.boolean().optional(),
    responseTopic: topic.optional(),
    /** sent as its UTF-8 bytes; a reply that carries the same bytes is matched to this request */
    correlationData: z.string().min(1).max(1024).optional(),
    /** seconds the broker keeps the message for subscribers that are not there yet */
    messageExpiryInterval: u32.optional(),
  })
  .strict();
export type OutgoingProperties = z.infer<typeof OutgoingProperties>;

/** A generic profile's last will: published by the broker when the connection ends without a DISCONNECT. */
export const WillInput = z
  .object({
    topic,
    payload: z
      .string()
      .max(64 * 1024)
      .default(''),
    qos: PublishQos.default(0),
    retain: z.boolean().default(false),
    properties: OutgoingProperties.extend({ willDelayInterval: u32.optional() }).strict().optional(),
  })
  .strict();
export type WillInput = z.infer<typeof WillInput>;

/** Retain handling (MQTT 5): 0 send retained on subscribe, 1 only when the subscription is new, 2 never. */
export const SubscriptionOptionsInput = z
  .object({
    qos: PublishQos.default(1),
    noLocal: z.boolean().default(false),
    retainAsPublished: z.boolean().default(false),
    retainHandling: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(0),
    /** #rrggbb: the log marks this subscription's messages with it */
    colour: z
      .string()
      .regex(/^#[0-9a-f]{6}$/i, 'a colour is #rrggbb')
      .optional(),
    /** paused: unsubscribed on the broker, kept in the profile */
    paused: z.boolean().default(false),
  })
  .strict();
export type SubscriptionOptions = z.infer<typeof SubscriptionOptionsInput>;

/** The MQTT 5 session options of a generic profile (all optional: absent = mqtt.js's default). */
export const SessionOptionsInput = z
  .object({
    /** seconds; 0 turns keepalive off */
    keepalive: z.number().int().min(0).max(65535).optional(),
    /** MQTT 3.1.1 clean session / MQTT 5 clean start; false keeps the broker's session between connections */
    cleanStart: z.boolean().optional(),
    /** MQTT 5: seconds the broker keeps the session after a disconnect */
    sessionExpiryInterval: u32.optional(),
    /** MQTT 5: how many QoS 1/2 messages the broker may have in flight to us */
    receiveMaximum: z.number().int().min(1).max(65535).optional(),
    /** MQTT 5: the largest packet we accept, in bytes */
    maximumPacketSize: z.number().int().min(1).max(268_435_455).optional(),
    will: WillInput.optional(),
    /** per filter of `subscriptions`: QoS and MQTT 5 options, colour, paused */
    subscriptionOptions: z.record(topicFilter, SubscriptionOptionsInput).optional(),
  })
  .strict();
export type SessionOptions = z.infer<typeof SessionOptionsInput>;

/** MQTT 5 properties of a received message, as stored with it (null/absent when it had none). */
export interface MessageProps {
  userProperties?: [string, string][];
  contentType?: string;
  payloadFormatIndicator?: boolean;
  responseTopic?: string;
  /** hex of the bytes; correlationText too when they are UTF-8 text */
  correlationData?: string;
  correlationText?: string;
  messageExpiryInterval?: number;
  subscriptionIdentifier?: number[];
}

/** A reply matched to a request this app published (the same correlation data, within REPLY_WINDOW_MS). */
export interface ReplyMatch {
  /** the request's topic and when it was published */
  requestTopic: string;
  requestedAt: number;
}

/** A live subscription of a running session, as the desk lists it. */
export interface SubscriptionDTO extends SubscriptionOptions {
  filter: string;
  /** granted QoS; a refused one is not kept */
  granted?: number;
}

export const SubscribeInput = z
  .object({ profileId: id, filter: topicFilter })
  .merge(SubscriptionOptionsInput)
  .strict();

export const ClearRetainedInput = z
  .object({ profileId: id, filter: topicFilter, confirm: z.boolean().default(false) })
  .strict();

export interface ClearRetainedResult {
  /** retained topics found under the filter */
  found: string[];
  /** how many were cleared (0 unless confirm) */
  cleared: number;
  /** still retained after the clear (should be none) */
  remaining: string[];
}
