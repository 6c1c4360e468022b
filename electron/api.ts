/**
 * THE contract between the core and every UI.
 *
 * Each method has a zod schema for its params; the core validates every inbound call here, once
 * (`parseCall`). Results and events are typed only: they come from our own core.
 * Electron IPC (preload → window.apiary) and the headless host's WebSocket are two transports of this
 * one contract. The renderer imports *types* from this file and nothing else from electron/.
 */
import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from './common/beebotte-names.js';
import type { PairingErrorCode } from './common/pairing-codes.js';
import { RuleInput, type FiredAlert, type Rule, type RuleTestHit, type StoredAlert, type TrayModel } from './api/alerts.js';
import { codecMethodParams, PublishEncoding, type CodecMethodResults, type CodecName } from './api/codecs.js';
import { consoleMethodParams, type ConsoleEvents, type ConsoleMethodResults } from './api/console.js';
import {
  ClearRetainedInput,
  OutgoingProperties,
  PublishQos,
  SessionOptionsInput,
  SubscribeInput,
  type ClearRetainedResult,
  type MessageProps,
  type ReplyMatch,
  type SessionOptions,
  type SubscriptionDTO,
} from './api/mqtt5.js';

// ---------------------------------------------------------------------------------------------
// Shared schema pieces

const id = z.string().min(1).max(64).regex(/^[\w-]+$/, 'ids are letters, digits, _ and -');
const topic = z.string().min(1).max(1024);
const topicFilter = z.string().min(1).max(1024);
const Empty = z.object({}).strict();
const beebotteName = z.string().regex(NAME_PATTERN, `Beebotte names are ${NAME_RULE}`);
const ResourceInput = z
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

// ---------------------------------------------------------------------------------------------
// DTOs (core → UI)

export type SessionStatus = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface ProfileDTO extends SessionOptions {
  id: string;
  name: string;
  kind: z.infer<typeof ProfileKind>;
  url?: string;
  port?: number;
  tls: boolean;
  credentialType?: z.infer<typeof CredentialType>;
  apiKey?: string;
  /** generic MQTT only, and only a plain one: never a Beebotte username or a token (see usernameIsSecret). */
  username?: string;
  /** generic MQTT: the username carries a Beebotte token, so it is kept in the vault and never sent here */
  usernameIsSecret?: true;
  /** with usernameIsSecret: whether it is held now (an 'ask at connect' one lasts one run) */
  usernameStored?: boolean;
  clientId?: string;
  protocolVersion: 4 | 5;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  verifyTls: boolean;
  subscriptions: string[];
  autoConnect: boolean;
  secretMode: 'keychain' | 'ask';
  /** The only thing a UI ever learns about a secret. */
  hasSecret: boolean;
  builtIn: boolean;
}

export interface SessionState {
  profileId: string;
  status: SessionStatus;
  /** actionable, human text; never contains a secret */
  error?: string;
  since: number;
  /** next reconnect attempt (ms since epoch) while reconnecting */
  retryAt?: number;
  outbox: number;
  /** queued messages set aside because the broker kept closing the connection over them (outbox.deadLetters) */
  deadLetters?: number;
}

export type PayloadKind = 'json' | 'text' | 'binary';

export interface MessageDTO {
  id: number;
  profileId: string;
  topic: string;
  /** receive time, ms since epoch */
  receivedAt: number;
  qos: 0 | 1 | 2;
  retain: boolean;
  size: number;
  kind: PayloadKind;
  /** UTF-8 text (json/text) or base64 (binary), clipped to PREVIEW_BYTES; see `clipped`. */
  preview: string;
  clipped: boolean;
  /** Beebotte envelope, when the payload is {"data": …} */
  envelope?: { data: unknown; write?: boolean; ispublic?: boolean; ts?: number };
  /** the codec chosen for its topic (not JSON): `preview` is the decoded form (JSON for CBOR, MessagePack, Protobuf, Sparkplug B) */
  codec?: CodecName;
  /** that codec could not decode this payload: why (the preview shows it as it came) */
  codecError?: string;
  /** true when this message came from this app */
  own?: boolean;
  /** MQTT 5 properties it came with */
  props?: MessageProps;
  /** a reply to a request this app published (same correlation data) */
  reply?: ReplyMatch;
}

export interface FullMessageDTO extends MessageDTO {
  /** the whole payload: text or base64 (binary) */
  payload: string;
  /** stored payload was cut at the store's cap (never silently: this flag says so) */
  overCap: boolean;
}

export interface MessageBatch {
  messages: MessageDTO[];
  /** messages that arrived but were not sent in this batch (UI buffer bound); they are in the store */
  skipped: number;
  rate: number;
  /**
   * messages this UI missed before this batch because it could not keep up (its transport held batches back);
   * they are in the store: the UI marks the gap and re-syncs its window from there
   */
  dropped?: number;
}

/**
 * A queued QoS 1 message set aside because the broker kept closing the connection over it. Never deleted unless
 * the user discards it; retry puts it back at the end of the outbox. No payload here: the composer's history has it.
 */
export interface DeadLetterDTO {
  id: number;
  profileId: string;
  topic: string;
  qos: 1;
  retain: boolean;
  /** payload bytes */
  size: number;
  /** why it was set aside, and what to check */
  reason: string;
  /** accepted into the outbox (ms since epoch) */
  queuedAt: number;
  /** set aside */
  deadAt: number;
}

export interface PublishResult {
  status: 'sent' | 'queued';
  topic: string;
  payloadBytes: number;
}

export interface AppInfo {
  name: 'Apiary';
  version: string;
  shell: 'electron' | 'host';
  sandbox?: { mqtt: string; mqtts?: string; http?: string; ws?: string; ca?: string };
  keychain: 'ok' | 'locked' | 'unavailable';
}

export interface ApiErrorShape {
  code: 'invalid_params' | 'unknown_method' | 'not_found' | 'failed' | 'unauthorized';
  message: string;
  issues?: { path: string; message: string }[];
}


export interface TopicStat {
  profileId: string;
  topic: string;
  count: number;
  /** messages per second over the last few seconds */
  rate: number;
  lastAt: number;
  /** clipped text of the last value (Beebotte data when present) */
  lastValue: string;
  /** the last value when it is a number (charts) */
  lastNumber?: number;
  /** the broker holds a retained message for it (one came with the retain flag, no empty payload since) */
  retained?: boolean;
}

export interface ExportProgress {
  exportId: string;
  done: number;
  total: number;
  finished?: { file: string; count: number; bytes: number; downloadPath?: string };
  error?: string;
}

export interface ChannelInfo {
  name: string;
  label?: string;
  description?: string;
  ispublic: boolean;
  resources: { name: string; label?: string; description?: string; vtype: string; sendOnSubscribe: boolean }[];
}

export interface ReadPoint {
  ts: number;
  data: unknown;
}

export interface Template {
  id: string;
  name: string;
  profileId?: string;
  topic: string;
  data: string;
  write: boolean;
  ispublic: boolean;
  qos: 0 | 1 | 2;
}

export interface PublishHistoryEntry {
  at: number;
  profileId: string;
  topic: string;
  data: string;
  write: boolean;
  ispublic: boolean;
  qos: 0 | 1 | 2;
  status: 'sent' | 'queued' | 'failed';
  error?: string;
}

export interface SerialPortDTO {
  path: string;
  /** "ESP32 (CP2102)" etc. when the VID:PID is known */
  board?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

/** A profile that used a regenerated token but could not be moved to the new one, and why (no secret in it). */
export interface RegenerateFailure {
  profileId: string;
  name: string;
  reason: string;
}

export interface KnownDevice {
  id: string;
  name: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  firmware?: string;
  chip?: string;
  profileId: string;
  channel: string;
  resource: string;
  clientId?: string;
  pairedAt: number;
  lastSeen?: number;
  online: boolean;
  /** its token was regenerated after pairing: it must be re-provisioned */
  staleToken?: boolean;
}

export interface PairingStep {
  pairingId: string;
  step: 'open' | 'handshake' | 'scan' | 'wifi' | 'mqtt' | 'first-message' | 'done' | 'failed';
  message: string;
  /** with 'failed' from the device side: why, as a code (common/pairing-codes.ts has its words) */
  code?: PairingErrorCode;
  /** with 'failed': the device's last log lines (secrets it echoed masked), for the wizard's Logs tab */
  deviceLog?: string[];
}

/** Firmware written to a board before pairing (core/flash): each part checked by the MD5 the board computed. */
export interface FlashResultDTO {
  port: string;
  chip: string;
  firmware: string;
  bytes: number;
  parts: { file: string; offset: number; size: number; md5: string }[];
}

/** Live progress of a flash: a step starting or done, or how much of the write is done. */
export interface FlashProgressDTO {
  port: string;
  step: 'firmware' | 'connect' | 'chip' | 'erase' | 'write' | 'verify' | 'reset';
  status: 'start' | 'done' | 'progress' | 'failed';
  /** what a step found (the chip…), or for 'failed' what went wrong and what to do */
  detail?: string;
  percent?: number;
}

export interface PairingHandshake {
  pairingId: string;
  port: string;
  device: { firmware: string; version: string; chip: string; name: string };
  state: string;
  /** the device speaks the Apiary extension (0x80/0x81) */
  apiaryExtension: boolean;
}

export interface WifiNetworkDTO {
  ssid: string;
  rssi: number;
  secured: boolean;
}

export interface ProvisionResultDTO {
  device: KnownDevice;
  clientId: string;
  firstMessage: MessageDTO | null;
  /** the device's own page, when it named one after joining Wi-Fi (Improv's "next URL") */
  deviceUrl?: string;
}

export interface AppSettings {
  /** closing the window keeps Apiary in the tray */
  closeToTray: boolean;
  launchAtLogin: boolean;
  /** flood control for desktop notifications */
  notificationsPerMinute: number;
  /** message log retention budget */
  logMaxMessages: number;
  logMaxMegabytes: number;
}

export const SettingsInput = z
  .object({
    closeToTray: z.boolean().optional(),
    launchAtLogin: z.boolean().optional(),
    notificationsPerMinute: z.number().int().min(1).max(60).optional(),
    logMaxMessages: z.number().int().min(1000).max(50_000_000).optional(),
    logMaxMegabytes: z.number().int().min(16).max(100_000).optional(),
  })
  .strict();

export type { Vtype } from './common/beebotte-names.js';
export type { CodecName, CodecRule, EncodingName, SeriesResult } from './api/codecs.js';
export type { Rule, RuleInput, FiredAlert, TrayModel, StoredAlert, RuleTestHit } from './api/alerts.js';
export type { ConsoleStateDTO, ConsoleEntryDTO } from './api/console.js';
export type {
  ClearRetainedResult,
  MessageProps,
  OutgoingProperties,
  ReplyMatch,
  SessionOptions,
  SubscriptionDTO,
  SubscriptionOptions,
  WillInput,
} from './api/mqtt5.js';

// ---------------------------------------------------------------------------------------------
// Methods

export const methodParams = {
  'app.info': Empty,
  ...consoleMethodParams,
  ...codecMethodParams,
  'profiles.list': Empty,
  'profiles.save': ProfileInput,
  'profiles.remove': z.object({ id }).strict(),
  'sessions.list': Empty,
  'sessions.connect': z.object({ profileId: id, secret: z.string().max(4096).optional() }).strict(),
  'sessions.disconnect': z.object({ profileId: id }).strict(),
  'messages.publish': PublishInput,
  'sessions.subscribe': SubscribeInput,
  'sessions.unsubscribe': z.object({ profileId: id, filter: topicFilter }).strict(),
  'sessions.pause': z.object({ profileId: id, filter: topicFilter, paused: z.boolean() }).strict(),
  'sessions.subscriptions': z.object({ profileId: id }).strict(),
  'retained.clear': ClearRetainedInput,
  'messages.query': MessageQuery,
  'messages.get': z.object({ id: z.number().int().positive() }).strict(),
  'messages.history': z.object({ profileId: id, topic, limit: z.number().int().min(1).max(1000).default(200) }).strict(),
  'messages.stats': Empty,
  'messages.export': z
    .object({ query: MessageQuery.omit({ beforeId: true, limit: true }), format: z.enum(['csv', 'json', 'ndjson']) })
    .strict(),
  'explorer.topics': z.object({ profileId: id.optional() }).strict(),
  'beebotte.channels': z.object({ profileId: id }).strict(),
  'beebotte.read': z
    .object({
      profileId: id,
      channel: beebotteName,
      resource: beebotteName,
      timeRange: z.string().regex(/^(\d{1,4}(minute|hour|day|week|month)|today|yesterday)$/).optional(),
      limit: z.number().int().min(1).max(50000).default(750),
    })
    .strict(),
  'templates.list': Empty,
  'templates.save': TemplateInput,
  'templates.remove': z.object({ id }).strict(),
  'composer.history': z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(),
  'alerts.rules': Empty,
  /** the rule's own schema (api/alerts.ts): regex and JSON path compiled, the topic filter checked */
  'alerts.saveRule': z.object({ rule: RuleInput }).strict(),
  'alerts.removeRule': z.object({ id }).strict(),
  'alerts.testRule': z.object({ rule: RuleInput }).strict(),
  'alerts.history': z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  'alerts.markRead': z.object({ ids: z.array(z.string().max(64)).max(1000).optional() }).strict(),
  'tray.model': Empty,
  'tray.pause': z.object({ kind: z.enum(['1h', 'tomorrow', 'resume']) }).strict(),
  'devices.ports': Empty,
  'devices.list': Empty,
  'devices.forget': z.object({ id }).strict(),
  'pairing.start': z.object({ port: z.string().min(1).max(512), baudRate: z.number().int().min(1200).max(3_000_000).optional() }).strict(),
  'pairing.scan': z.object({ pairingId: id }).strict(),
  'pairing.provision': z
    .object({
      pairingId: id,
      /** the Wi-Fi the board joins; left out with keepWifi */
      ssid: z.string().min(1).max(32).optional(),
      /** absent = an open network */
      wifiPassword: z.string().max(64).optional(),
      /**
       * MQTT settings only (re-provisioning after a token regeneration): the board keeps the Wi-Fi it is on
       * (Improv state "provisioned", else refused) and no SSID is sent
       */
      keepWifi: z.boolean().default(false),
      /** the known device this re-provisions: its entry is replaced (and no longer stale), not duplicated */
      deviceId: id.optional(),
      profileId: id,
      channel: beebotteName,
      resource: beebotteName,
      /** a channel token for the device; absent = the profile's own credential */
      token: z.string().max(256).optional(),
      waitSeconds: z.number().int().min(1).max(600).default(60),
    })
    .strict()
    .superRefine((p, ctx) => {
      if (p.keepWifi && (p.ssid !== undefined || p.wifiPassword !== undefined))
        ctx.addIssue({ code: 'custom', path: ['ssid'], message: 'keepWifi sends no Wi-Fi: leave out ssid and wifiPassword' });
      if (!p.keepWifi && p.ssid === undefined)
        ctx.addIssue({ code: 'custom', path: ['ssid'], message: 'the Wi-Fi network is required (or keepWifi: true for a board already on Wi-Fi)' });
    }),
  'pairing.cancel': z.object({ pairingId: id }).strict(),
  'flash.run': z
    .object({
      port: z.string().min(1).max(512),
      /** a .bin or an ESP Web Tools manifest (.json), as a path on this machine */
      firmware: z.string().min(1).max(4096),
      /** where a .bin goes (a manifest gives its parts' offsets) */
      offset: z.number().int().min(0).max(0x4000000).default(0),
      erase: z.boolean().default(false),
      baudRate: z.number().int().min(9600).max(2_000_000).optional(),
    })
    .strict(),
  'account.channels': z.object({ profileId: id }).strict(),
  'account.createChannel': z
    .object({
      profileId: id,
      channel: z
        .object({
          name: beebotteName,
          label: z.string().max(64).optional(),
          description: z.string().max(512).optional(),
          ispublic: z.boolean().default(false),
          resources: z.array(ResourceInput).min(1).max(100),
        })
        .strict(),
    })
    .strict(),
  'account.deleteChannel': z.object({ profileId: id, channel: beebotteName }).strict(),
  'account.createResource': z.object({ profileId: id, channel: beebotteName, resource: ResourceInput }).strict(),
  'account.deleteResource': z.object({ profileId: id, channel: beebotteName, resource: beebotteName }).strict(),
  'account.copyToken': z.object({ profileId: id, channel: beebotteName }).strict(),
  'account.regenerateToken': z.object({ profileId: id, channel: beebotteName }).strict(),
  'settings.get': Empty,
  'settings.save': SettingsInput,
  'outbox.deadLetters': z.object({ profileId: id.optional() }).strict(),
  'outbox.retry': z.object({ id: z.number().int().positive() }).strict(),
  'outbox.discard': z.object({ id: z.number().int().positive() }).strict(),
} as const;

/** profiles.save's answer: the profile, and what became of its live session */
export interface SavedProfile extends ProfileDTO {
  /** it had a live session (connecting, connected, reconnecting or failed): restarted with the new settings */
  restarted?: true;
  /** the restart could not start (the session is off now): what happened and what to do */
  restartError?: string;
}

export interface MethodResults extends CodecMethodResults, ConsoleMethodResults {
  'app.info': AppInfo;
  'profiles.list': ProfileDTO[];
  'profiles.save': SavedProfile;
  'profiles.remove': { removed: boolean };
  'sessions.list': SessionState[];
  'sessions.connect': SessionState;
  'sessions.disconnect': SessionState;
  'messages.publish': PublishResult;
  'sessions.subscribe': SubscriptionDTO[];
  'sessions.unsubscribe': SubscriptionDTO[];
  'sessions.pause': SubscriptionDTO[];
  'sessions.subscriptions': SubscriptionDTO[];
  'retained.clear': ClearRetainedResult;
  'messages.query': MessageDTO[];
  'messages.get': FullMessageDTO;
  'messages.history': MessageDTO[];
  /** what the store holds, and why it is not storing when it is not (disk full, unwritable) */
  /** `received`: messages received since the core started (all profiles), counted by the core, not the page */
  'messages.stats': { count: number; bytes: number; received: number; storeError?: string };
  'messages.export': { exportId: string };
  'explorer.topics': TopicStat[];
  'beebotte.channels': ChannelInfo[];
  'beebotte.read': ReadPoint[];
  'templates.list': Template[];
  'templates.save': Template;
  'templates.remove': { removed: boolean };
  'composer.history': PublishHistoryEntry[];
  'alerts.rules': Rule[];
  'alerts.saveRule': Rule;
  'alerts.removeRule': { removed: boolean };
  'alerts.testRule': { tested: number; hits: RuleTestHit[] };
  'alerts.history': StoredAlert[];
  'alerts.markRead': { unread: number };
  'tray.model': TrayModel;
  'tray.pause': TrayModel;
  'devices.ports': SerialPortDTO[];
  'devices.list': KnownDevice[];
  'devices.forget': { removed: boolean };
  'pairing.start': PairingHandshake;
  'pairing.scan': WifiNetworkDTO[];
  'pairing.provision': ProvisionResultDTO;
  'pairing.cancel': { cancelled: boolean };
  'flash.run': FlashResultDTO;
  'account.channels': ChannelInfo[];
  'account.createChannel': ChannelInfo;
  'account.deleteChannel': { deleted: boolean };
  'account.createResource': ChannelInfo;
  'account.deleteResource': { deleted: boolean };
  /** Electron copies to the clipboard in the main process; a browser gets the token once, to copy it itself */
  'account.copyToken': { copied: boolean; token?: string };
  /** each profile is updated on its own: the ones that could not be are in failedProfiles, with why */
  'account.regenerateToken': { reconnectedProfiles: string[]; failedProfiles: RegenerateFailure[]; staleDevices: KnownDevice[] };
  'settings.get': AppSettings;
  'settings.save': AppSettings;
  /** oldest first; the count per profile is also in SessionState.deadLetters */
  'outbox.deadLetters': DeadLetterDTO[];
  /** back at the end of the profile's outbox (a new outbox id), delivered now when connected */
  'outbox.retry': { profileId: string; outboxId: number };
  'outbox.discard': { profileId: string; discarded: true };
}

export type MethodName = keyof typeof methodParams;
export type ParamsOf<M extends MethodName> = z.input<(typeof methodParams)[M]>;
export type ParsedParamsOf<M extends MethodName> = z.output<(typeof methodParams)[M]>;
export type ResultOf<M extends MethodName> = MethodResults[M];

// ---------------------------------------------------------------------------------------------
// Events

export interface EventPayloads extends ConsoleEvents {
  'session.state': SessionState;
  'messages.batch': MessageBatch;
  'profiles.changed': ProfileDTO[];
  'explorer.delta': TopicStat[];
  'export.progress': ExportProgress;
  'alert.fired': FiredAlert;
  'tray.model': TrayModel;
  'device.plugged': SerialPortDTO;
  'devices.changed': KnownDevice[];
  'pairing.progress': PairingStep;
  'flash.progress': FlashProgressDTO;
  'settings.changed': AppSettings;
  /** from a shell (tray menu, notification click): show this message or topic, or a screen (a plugged board → Devices) */
  'ui.open': { messageId?: number; profileId?: string | null; topic?: string; tab?: 'devices' };
}
export type EventName = keyof EventPayloads;

/** What preload exposes as window.apiary, and what the WebSocket client implements. */
export interface ApiaryBridge {
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  on<E extends EventName>(event: E, listener: (data: EventPayloads[E]) => void): () => void;
}

// ---------------------------------------------------------------------------------------------
// Validation at the boundary

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorShape['code'],
    message: string,
    readonly issues?: ApiErrorShape['issues'],
  ) {
    super(message);
    this.name = 'ApiError';
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) };
  }
}

export function isMethodName(value: unknown): value is MethodName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(methodParams, value);
}

/** Validates an untrusted (method, params) pair. Throws ApiError; never returns unchecked data. */
export function parseCall(method: unknown, params: unknown): { method: MethodName; params: unknown } {
  if (!isMethodName(method)) {
    throw new ApiError('unknown_method', `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
  }
  const result = methodParams[method].safeParse(params ?? {});
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    const first = issues[0];
    throw new ApiError(
      'invalid_params',
      `invalid params for ${method}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'rejected'}`,
      issues,
    );
  }
  return { method, params: result.data };
}

/** Wire frames of the WebSocket transport (JSON-RPC style). */
export type ClientFrame = { id: number; method: string; params?: unknown };
export type ServerFrame =
  | { id: number; result: unknown }
  | { id: number; error: ApiErrorShape }
  | { event: EventName; data: unknown };
