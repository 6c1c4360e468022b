/** How a session is built: its connection, its subscriptions and its policies (profiles/connection.ts fills it). */
import type { IClientOptions, IStore } from 'mqtt';
import type { BackoffPolicy } from './backoff.js';

/** A filter the session keeps subscribed, with its MQTT 5 options (ignored on MQTT 3.1.1). */
export interface SessionSubscription {
  filter: string;
  qos: 0 | 1 | 2;
  noLocal?: boolean;
  retainAsPublished?: boolean;
  retainHandling?: 0 | 1 | 2;
  /** kept, but not subscribed on the broker */
  paused?: boolean;
  colour?: string;
}

export interface SessionConfig {
  profileId: string;
  /** mqtt://host:port, mqtts://…, ws://… */
  url: string;
  /** host name shown in errors ("token rejected by mqtt.beebotte.com …") */
  displayHost: string;
  options: Pick<
    IClientOptions,
    | 'username'
    | 'password'
    | 'clientId'
    | 'protocolVersion'
    | 'ca'
    | 'cert'
    | 'key'
    | 'rejectUnauthorized'
    | 'servername'
    | 'will'
    | 'properties'
  >;
  subscriptions: SessionSubscription[];
  /** false keeps the broker's session (MQTT 3.1.1 clean session / MQTT 5 clean start); default true */
  cleanStart?: boolean;
  /** mqtt.js's outgoing store for each connection (QoS 2 in flight kept in SQLite: session/qos2-store.ts) */
  outgoingStore?: () => IStore;
  /** mqtt.js's incoming store (QoS 2 received, waiting for the PUBREL, kept in SQLite) */
  incomingStore?: () => IStore;
  /** what the user should check when the broker refuses the credential */
  credentialHint: string;
  backoff?: BackoffPolicy;
  /** how long a connection must stay up before the backoff starts over (default STABLE_CONNECTION_MS) */
  stableAfterMs?: number;
  /** what holds the rights, in a refused subscription's message: "the token" (Beebotte), "the credential" */
  rightsHolder?: string;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
}

/** The SUBACK code of a refused filter (0x80, or an MQTT 5 reason code ≥ 0x80); null when it was granted. */
export function subscribeRefusal(err: unknown): number | null {
  const e = err as { code?: unknown; packet?: { granted?: unknown } } | null;
  // mqtt.js ≥ 5.10 rejects on a refused SUBACK: the error carries the packet (or, in some versions, the code)
  if (typeof e?.code === 'number' && e.code >= 0x80) return e.code;
  const granted = e?.packet?.granted;
  if (Array.isArray(granted)) {
    const code = granted.find((g): g is number => typeof g === 'number' && g >= 0x80);
    if (code !== undefined) return code;
  }
  return null;
}
