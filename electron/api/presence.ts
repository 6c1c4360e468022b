/**
 * Presence: who is connected to a Beebotte (or sandbox) account now — `/v1/connections`, kept live from the
 * account's `signaling/#` events or, where the credential cannot subscribe to them, by polling — and dropping
 * a connection. A desk `watch`es a profile while its Connections view is open (a lease it renews, so a closed
 * window stops the watcher by itself); alert rules on connect/disconnect keep their profiles watched too.
 */
import { z } from 'zod';
import { hasControlChars } from '../common/control-chars.js';
import { id } from './primitives.js';

/** an MQTT client id or a WebSocket userid: any text Beebotte accepts, bounded */
const userid = z
  .string()
  .min(1)
  .max(256)
  .refine((text) => !hasControlChars(text), 'a client id has no control characters');

export const presenceMethodParams = {
  'connections.list': z.object({ profileId: id }).strict(),
  'connections.drop': z.object({ profileId: id, userid }).strict(),
  /**
   * starts (or renews, for WATCH_LEASE_SECONDS) live updates of the profile's connections (`connections.changed`);
   * `viewId` names the view holding the lease, so one window's unwatch leaves another's standing
   */
  'connections.watch': z.object({ profileId: id, viewId: id.default('default') }).strict(),
  'connections.unwatch': z.object({ profileId: id, viewId: id.default('default') }).strict(),
};

/** how long one `connections.watch` keeps the watcher alive without a renewal */
export const WATCH_LEASE_SECONDS = 60;

export interface ConnectionDTO {
  userid: string;
  clientid: string;
  sid: string;
  /** `mqtt` or `ws` (Beebotte's socketio), else what the server said */
  protocol: string;
  /** null: the server does not say (Beebotte reports MQTT over TLS as plain `mqtt`) */
  tls: boolean | null;
  /** the channel of the channel token it connected with; null for account keys and IAM tokens */
  channel: string | null;
  clientip: string | null;
  /** ms since epoch; null when the server does not give it */
  connectedAt: number | null;
  /** Apiary's own watcher connection (the one that listens to signaling for this view) */
  own: boolean;
}

/** `signaling`: live from the account's signaling/# events; `polling`: `/v1/connections` every few seconds */
export type PresenceMode = 'signaling' | 'polling';

export interface ConnectionsSnapshot {
  profileId: string;
  connections: ConnectionDTO[];
  mode: PresenceMode;
  /** why it polls (the credential may not read signaling, the signaling connection is down…) */
  modeReason?: string;
  /** seconds between polls, in polling mode */
  pollSeconds?: number;
  /** ms since epoch: when the list was read */
  at: number;
  /** the last refresh failed: what happened (the list is the last good one) */
  error?: string;
}

export interface PresenceEventDTO {
  profileId: string;
  event: 'connect' | 'disconnect';
  clientid: string;
  /** the channel token's channel; null for account keys and IAM tokens */
  channel: string | null;
  protocol: string;
  /** ms since epoch */
  at: number;
  /** from the account's signaling, or inferred by comparing two polls */
  source: PresenceMode;
}

export interface PresenceMethodResults {
  'connections.list': ConnectionsSnapshot;
  /** `remaining`: the list read after the drop */
  'connections.drop': { dropped: boolean; remaining: ConnectionsSnapshot };
  'connections.watch': ConnectionsSnapshot;
  'connections.unwatch': { watching: boolean };
}

export interface PresenceEvents {
  'connections.changed': ConnectionsSnapshot;
  'connections.event': PresenceEventDTO;
}
