/**
 * What a UI may send: the schemas every inbound argument is checked against, once, at the boundary (parseCall),
 * and the shared pieces the method table in api.ts builds on.
 */
import { z } from 'zod';
import { PublishEncoding } from './codecs.js';
import { OutgoingProperties, PublishQos, SessionOptionsInput } from './mqtt5.js';
import { beebotteName, id, topic, topicFilter } from './primitives.js';

export { Empty, beebotteName, id, readTimeRange, topic, topicFilter } from './primitives.js';

export const ResourceInput = z
  .object({
    name: beebotteName,
    vtype: z.string().max(32).default('any'),
    label: z.string().max(64).optional(),
    description: z.string().max(512).optional(),
    sendOnSubscribe: z.boolean().default(false),
  })
  .strict();

export const ProfileKind = z.enum(['sandbox', 'beebotte', 'mqtt']);
export const CredentialType = z.enum(['channelToken', 'iamToken', 'secretKey']);

/** What a UI may send to create or edit a profile. Secrets travel inbound only, never back out. */
export const ProfileInput = z
  .object({
    id: id.optional(),
    name: z.string().trim().min(1).max(64),
    kind: ProfileKind,
    /** generic MQTT: mqtt://, mqtts://, ws://, wss:// URL; Beebotte: ignored (host fixed). */
    url: z.string().max(512).optional(),
    /** Beebotte: 8883 (TLS, default) or 1883. */
    port: z.number().int().min(1).max(65535).optional(),
    tls: z.boolean().optional(),
    credentialType: CredentialType.optional(),
    /** Beebotte account API key (the public half, used for signed REST). */
    apiKey: z.string().max(128).optional(),
    /**
     * generic MQTT username, stored in profiles.json. One that carries a Beebotte token (`token_…`, `token:…`,
     * `iamtkn_…`, for a Beebotte-compatible server) is a secret: it goes to the vault like the password, by
     * secretMode. Editing a profile whose username is a secret: absent or blank keeps it, another replaces it.
     * Beebotte and Sandbox profiles derive their username from the credential.
     */
    username: z.string().max(256).optional(),
    /** generic MQTT: true = drop the username kept as a secret (the profile connects without one) */
    forgetUsername: z.boolean().optional(),
    clientId: z.string().max(128).optional(),
    protocolVersion: z.union([z.literal(4), z.literal(5)]).optional(),
    caFile: z.string().max(1024).optional(),
    certFile: z.string().max(1024).optional(),
    keyFile: z.string().max(1024).optional(),
    /** false = skip TLS verification: an explicit, unsafe, per-profile choice. */
    verifyTls: z.boolean().optional(),
    subscriptions: z.array(topicFilter).max(100).optional(),
    autoConnect: z.boolean().optional(),
    /** keychain = stored with keytar; ask = held in memory for this run only. */
    secretMode: z.enum(['keychain', 'ask']).optional(),
    /** The token / secret key / password. Absent = keep the stored one. Empty string = clear it. */
    secret: z.string().max(4096).optional(),
    /** generic MQTT: keepalive, clean start, MQTT 5 session options, last will, subscription options */
    ...SessionOptionsInput.shape,
  })
  .strict();
export type ProfileInput = z.infer<typeof ProfileInput>;

export const PublishInput = z
  .object({
    profileId: id,
    topic,
    /** JSON text of the value; wrapped as {"data": …} unless raw. */
    data: z.string().max(16 * 1024 * 1024),
    write: z.boolean().default(false),
    ispublic: z.boolean().default(false),
    /** 2 for a generic broker only */
    qos: PublishQos.default(0),
    retain: z.boolean().default(false),
    /** Send `data` as it is, no Beebotte envelope (generic brokers, or non-JSON payloads). */
    raw: z.boolean().default(false),
    /** publish as hex, base64, CBOR, MessagePack or Protobuf (`data` is that text, or JSON for the structured ones) */
    ...PublishEncoding,
    /** MQTT 5 properties: a generic profile with protocolVersion 5 only */
    properties: OutgoingProperties.optional(),
  })
  .strict();
export type PublishInput = z.input<typeof PublishInput>;

export const TemplateInput = z
  .object({
    id: id.optional(),
    name: z.string().trim().min(1).max(64),
    profileId: id.optional(),
    topic,
    data: z.string().max(64 * 1024),
    write: z.boolean().default(false),
    ispublic: z.boolean().default(false),
    qos: PublishQos.default(0),
  })
  .strict();

export const MessageQuery = z
  .object({
    profileId: id.optional(),
    /** MQTT filter, e.g. demo/# */
    topicFilter: topicFilter.optional(),
    text: z.string().max(256).optional(),
    /** MQTT 5: a user property "key" (any value) or "key=value" */
    userProperty: z.string().min(1).max(1024).optional(),
    /** MQTT 5: the content type, exactly */
    contentType: z.string().min(1).max(256).optional(),
    /** only messages that came with the retain flag */
    retained: z.boolean().optional(),
    /** keyset paging: messages with id < beforeId, newest first */
    beforeId: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type MessageQuery = z.input<typeof MessageQuery>;

export const SettingsInput = z
  .object({
    closeToTray: z.boolean().optional(),
    launchAtLogin: z.boolean().optional(),
    notificationsPerMinute: z.number().int().min(1).max(60).optional(),
    logMaxMessages: z.number().int().min(1000).max(50_000_000).optional(),
    logMaxMegabytes: z.number().int().min(16).max(100_000).optional(),
  })
  .strict();

