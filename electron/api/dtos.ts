/** What the core sends back: the data shapes of results and events (types only; they come from our own core). */
import type { z } from 'zod';
import type { PairingErrorCode } from '../common/pairing-codes.js';
import type { CredentialType, ProfileKind } from './inputs.js';
import type { CodecName } from './codecs.js';
import type { MessageProps, ReplyMatch, SessionOptions } from './mqtt5.js';

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
  qos: 1 | 2;
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
  /** what is exported: absent = the message log (messages.export); 'history' = a resource's stored records (history.export) */
  kind?: 'history';
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
  /** the IAM token of its own it was paired with (id and name; the value is only on the device) */
  iamToken?: { id: string; name: string };
  /** its IAM token was revoked: it can no longer connect */
  revoked?: boolean;
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

