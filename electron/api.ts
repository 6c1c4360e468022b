/**
 * THE contract between the core and every UI.
 *
 * Each method has a zod schema for its params; the core validates every inbound call here, once
 * (`parseCall`). Results and events are typed only: they come from our own core.
 * Electron IPC (preload → window.apiary) and the headless host's WebSocket are two transports of this
 * one contract. The renderer imports *types* from this file and nothing else from electron/.
 * Its parts: api/inputs.ts (what a UI sends), api/dtos.ts (what comes back), api/wire.ts (errors, frames) and one
 * file per feature (alerts, codecs, console, mqtt5); this file holds the method table, the events and parseCall.
 */
import { z } from 'zod';
import { RuleInput, type FiredAlert, type Rule, type RuleTestHit, type StoredAlert, type TrayModel } from './api/alerts.js';
import { codecMethodParams, type CodecMethodResults } from './api/codecs.js';
import { consoleMethodParams, type ConsoleEvents, type ConsoleMethodResults } from './api/console.js';
import { presenceMethodParams, type PresenceEvents, type PresenceMethodResults } from './api/presence.js';
import { beeruleMethodParams, type BeeruleMethodResults } from './api/beerules.js';
import { historyMethodParams, type HistoryMethodResults } from './api/history.js';
import { iamMethodParams, type IamMethodResults } from './api/iam.js';
import type {
  AppInfo,
  AppSettings,
  ChannelInfo,
  DeadLetterDTO,
  ExportProgress,
  FlashProgressDTO,
  FlashResultDTO,
  FullMessageDTO,
  KnownDevice,
  MessageBatch,
  MessageDTO,
  PairingHandshake,
  PairingStep,
  ProfileDTO,
  ProvisionResultDTO,
  PublishHistoryEntry,
  PublishResult,
  ReadPoint,
  RegenerateFailure,
  SerialPortDTO,
  SessionState,
  Template,
  TopicStat,
  WifiNetworkDTO,
} from './api/dtos.js';
import {
  Empty,
  MessageQuery,
  ProfileInput,
  PublishInput,
  ResourceInput,
  SettingsInput,
  TemplateInput,
  beebotteName,
  id,
  readTimeRange,
  topic,
  topicFilter,
} from './api/inputs.js';
import {
  ClearRetainedInput,
  SubscribeInput,
  type ClearRetainedResult,
  type SubscriptionDTO,
} from './api/mqtt5.js';
import { ApiError } from './api/wire.js';

export * from './api/dtos.js';
export * from './api/wire.js';
export { CredentialType, MessageQuery, ProfileInput, ProfileKind, PublishInput, SettingsInput, TemplateInput } from './api/inputs.js';

export type { Vtype } from './common/beebotte-names.js';
export type { CodecName, CodecRule, EncodingName, SeriesResult } from './api/codecs.js';
export type { Rule, RuleInput, FiredAlert, TrayModel, StoredAlert, RuleTestHit } from './api/alerts.js';
export type { ConsoleStateDTO, ConsoleEntryDTO } from './api/console.js';
export type { ConnectionDTO, ConnectionsSnapshot, PresenceEventDTO, PresenceMode } from './api/presence.js';
export type { BeeruleDTO, BeeruleRunDTO } from './api/beerules.js';
export type { HistoryBucketDTO, HistoryQuery, HistoryReadResult, HistoryRecordDTO } from './api/history.js';
export type { IamRuleDTO, IamTokenDTO } from './api/iam.js';
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
  ...presenceMethodParams,
  ...beeruleMethodParams,
  ...historyMethodParams,
  ...iamMethodParams,
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
      timeRange: readTimeRange.optional(),
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
      /**
       * an IAM token of the device's own (data read/write on its channel, named after it) instead of the
       * channel token; absent = yes when the profile may create IAM tokens (secret key, admin:iam:write)
       */
      deviceToken: z.boolean().optional(),
      /** Wi-Fi only: the board joins the new network and keeps the MQTT settings it has (a known device's, with deviceId) */
      keepMqtt: z.boolean().default(false),
      waitSeconds: z.number().int().min(1).max(600).default(60),
    })
    .strict()
    .superRefine((p, ctx) => {
      if (p.keepWifi && p.keepMqtt)
        ctx.addIssue({ code: 'custom', path: ['keepMqtt'], message: 'keepWifi and keepMqtt together leave nothing to send' });
      if (p.keepWifi && (p.ssid !== undefined || p.wifiPassword !== undefined))
        ctx.addIssue({ code: 'custom', path: ['ssid'], message: 'keepWifi sends no Wi-Fi: leave out ssid and wifiPassword' });
      if (!p.keepWifi && p.ssid === undefined)
        ctx.addIssue({ code: 'custom', path: ['ssid'], message: 'the Wi-Fi network is required (or keepWifi: true for a board already on Wi-Fi)' });
    }),
  'pairing.cancel': z.object({ pairingId: id }).strict(),
  /** the board's hostname and device name (Improv 0x05/0x06): read them, or set the ones given */
  'pairing.names': z
    .object({
      pairingId: id,
      hostname: z.string().regex(/^[a-zA-Z0-9-]{1,63}$/, 'a hostname is 1–63 letters, digits and -').optional(),
      deviceName: z.string().trim().min(1).max(64).optional(),
    })
    .strict(),
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

export interface MethodResults extends CodecMethodResults, ConsoleMethodResults, PresenceMethodResults, BeeruleMethodResults, HistoryMethodResults, IamMethodResults {
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
  'messages.stats': {
    count: number;
    bytes: number;
    received: number;
    storeError?: string;
    /** messages handed to the store's writer and not committed yet, and how long the oldest has waited */
    lag?: { messages: number; ms: number };
  };
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
  'pairing.names': { hostname: string; name: string };
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

export interface EventPayloads extends ConsoleEvents, PresenceEvents {
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

