/**
 * One account's presence, kept live: the `/v1/connections` list, refreshed on every `signaling/connect|disconnect`
 * event of the account (a small MQTT connection of its own that subscribes to `signaling/#`) or, where that is not
 * possible — a credential that may not read signaling, a broker that refuses it, the signaling link down — by
 * polling the list and comparing it with the last one. The desk (account/presence.ts) and `apiary connections
 * watch` both run it. Never throws from a timer or a socket callback: failures become the snapshot's `error`.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { ConnectionDTO, ConnectionsSnapshot, PresenceEventDTO, PresenceMode } from '../../api/presence.js';
import { listConnections, type BeebotteConnection } from '../beebotte/connections-client.js';
import type { BeebotteRest } from '../beebotte/rest-client.js';
import { subscribeRefusal } from '../session/session-config.js';

export interface SignalingEndpoint {
  url: string;
  /** the account's credential as MQTT username (secret key or IAM token), TLS options; the client id is ours */
  options: IClientOptions;
}

export interface PresenceWatcherOptions {
  profileId: string;
  rest: BeebotteRest;
  /** null: poll only, for `pollReason` */
  signaling: SignalingEndpoint | null;
  pollReason?: string;
  pollMs?: number;
  /** a signaling event refreshes the list after this pause (a burst of events makes one read) */
  settleMs?: number;
  now?: () => number;
  onSnapshot(snapshot: ConnectionsSnapshot): void;
  onEvent(event: PresenceEventDTO): void;
  /** one line when the way it keeps the list live changes (never a credential) */
  log?: (line: string) => void;
}

export const DEFAULT_POLL_MS = 5000;
const CONNECT_TIMEOUT_MS = 10_000;

export class PresenceWatcher {
  readonly clientId = `apiary-presence-${randomBytes(4).toString('hex')}`;
  private client: MqttClient | null = null;
  private mode: PresenceMode = 'polling';
  private modeReason: string | undefined;
  private pollTimer: NodeJS.Timeout | null = null;
  private settleTimer: NodeJS.Timeout | null = null;
  private last: ConnectionsSnapshot | null = null;
  private refreshing: Promise<ConnectionsSnapshot> | null = null;
  private again = false;
  private againInfer = false;
  private stopped = false;
  private readonly pollMs: number;
  private readonly now: () => number;

  constructor(private readonly o: PresenceWatcherOptions) {
    this.pollMs = o.pollMs ?? DEFAULT_POLL_MS;
    this.now = o.now ?? Date.now;
    this.modeReason = o.signaling ? 'connecting to the account’s signaling' : o.pollReason;
  }

  /** Reads the list once (a rights error rejects: nothing is started then), then keeps it live. */
  async start(): Promise<ConnectionsSnapshot> {
    const first = await this.read();
    this.last = first;
    this.startPolling(this.modeReason ?? 'signaling is not available');
    if (this.o.signaling) this.openSignaling(this.o.signaling);
    return this.snapshot();
  }

  snapshot(): ConnectionsSnapshot {
    const base = this.last ?? { profileId: this.o.profileId, connections: [], at: this.now(), mode: this.mode };
    return {
      ...base,
      mode: this.mode,
      ...(this.modeReason && this.mode === 'polling' ? { modeReason: this.modeReason } : {}),
      ...(this.mode === 'polling' ? { pollSeconds: Math.round(this.pollMs / 100) / 10 } : {}),
    };
  }

  /**
   * Reads the list now and announces it (after a drop, say). `infer`: report who came and went since the last
   * read as events — when polling, and once when signaling takes over (what happened while it connected).
   */
  async refresh(infer = this.mode === 'polling'): Promise<ConnectionsSnapshot> {
    if (this.refreshing) {
      this.again = true;
      this.againInfer ||= infer;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        const next = await this.read();
        if (infer && this.last) this.inferEvents(this.last.connections, next.connections);
        this.last = next;
      } catch (err) {
        if (this.last) this.last = { ...this.last, error: (err as Error).message };
      } finally {
        this.refreshing = null;
      }
      const snap = this.snapshot();
      if (!this.stopped) this.o.onSnapshot(snap);
      if (this.again && !this.stopped) {
        const inferNext = this.againInfer || this.mode === 'polling';
        this.again = this.againInfer = false;
        return this.refresh(inferNext);
      }
      return snap;
    })();
    return this.refreshing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.pollTimer = this.settleTimer = null;
    const client = this.client;
    this.client = null;
    await client?.endAsync(true).catch(() => undefined);
  }

  private async read(): Promise<ConnectionsSnapshot> {
    const rows = await listConnections(this.o.rest);
    return {
      profileId: this.o.profileId,
      connections: rows.map((r) => toDTO(r, r.clientid === this.clientId)),
      mode: this.mode,
      at: this.now(),
    };
  }

  private startPolling(reason: string): void {
    if (this.mode !== 'polling' || this.modeReason !== reason) this.o.log?.(`presence ${this.o.profileId}: polling: ${reason}`);
    this.mode = 'polling';
    this.modeReason = reason;
    if (this.pollTimer || this.stopped) return;
    this.pollTimer = setInterval(() => void this.refresh(), this.pollMs);
    this.pollTimer.unref?.();
  }

  private toSignaling(): void {
    this.o.log?.(`presence ${this.o.profileId}: live from the account's signaling`);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.mode = 'signaling';
    this.modeReason = undefined;
    void this.refresh(true); // whatever happened while it was connecting
  }

  private openSignaling(endpoint: SignalingEndpoint): void {
    const client = mqtt.connect(endpoint.url, {
      ...endpoint.options,
      clientId: this.clientId,
      clean: true,
      protocolVersion: 4,
      reconnectPeriod: 5000,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    this.client = client;
    client.on('connect', () => {
      client.subscribe('signaling/#', { qos: 0 }, (err, granted) => {
        if (this.stopped || this.client !== client) return;
        const refused = err ? (subscribeRefusal(err) ?? -1) : (granted?.find((g) => g.qos >= 0x80)?.qos ?? null);
        if (refused !== null) {
          this.startPolling(
            refused === -1
              ? `the signaling subscription failed (${err!.message}): polling instead`
              : 'this credential may not read the account’s signaling (signaling/# refused: it needs admin:connection:read): polling instead',
          );
          void client.endAsync(true).catch(() => undefined);
          this.client = null;
          this.o.onSnapshot(this.snapshot());
          return;
        }
        this.toSignaling();
      });
    });
    client.on('message', (topic, payload) => this.onSignal(topic, payload));
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      if (code === 4 || code === 5 || code === 135 || code === 134) {
        // the broker refuses the credential: retrying will not change that
        this.startPolling(`the signaling connection was refused (${err.message}): polling instead`);
        void client.endAsync(true).catch(() => undefined);
        if (this.client === client) this.client = null;
        this.o.onSnapshot(this.snapshot());
      }
    });
    client.on('offline', () => {
      if (this.stopped || this.client !== client) return;
      const was = this.mode;
      this.startPolling('the signaling connection is down (reconnecting): polling meanwhile');
      if (was !== this.mode) this.o.onSnapshot(this.snapshot());
    });
  }

  private onSignal(topic: string, payload: Buffer): void {
    const event = topic === 'signaling/connect' ? 'connect' : topic === 'signaling/disconnect' ? 'disconnect' : null;
    if (!event || this.stopped) return;
    let data: Record<string, unknown> = {};
    try {
      const body = JSON.parse(payload.toString('utf8')) as { data?: unknown };
      if (body && typeof body.data === 'object' && body.data !== null) data = body.data as Record<string, unknown>;
    } catch {
      return;
    }
    const clientid = typeof data.clientid === 'string' ? data.clientid : typeof data.userid === 'string' ? data.userid : '';
    if (!clientid || clientid === this.clientId) return;
    const channel = typeof data.channel === 'string' && data.channel !== '*' && data.channel !== '' ? data.channel : null;
    const protocol = typeof data.protocol === 'string' ? protocolName(data.protocol) : 'mqtt';
    this.o.onEvent({ profileId: this.o.profileId, event, clientid, channel, protocol, at: this.now(), source: 'signaling' });
    if (this.settleTimer) return;
    this.settleTimer = setTimeout(() => {
      this.settleTimer = null;
      void this.refresh();
    }, this.o.settleMs ?? 150);
    this.settleTimer.unref?.();
  }

  /** Polling: who is new and who is gone since the last read. */
  private inferEvents(before: ConnectionDTO[], after: ConnectionDTO[]): void {
    const key = (c: ConnectionDTO) => `${c.protocol}\u0000${c.userid}\u0000${c.sid}`;
    const old = new Map(before.map((c) => [key(c), c]));
    const next = new Map(after.map((c) => [key(c), c]));
    const at = this.now();
    const emit = (c: ConnectionDTO, event: 'connect' | 'disconnect') => {
      if (c.own) return;
      this.o.onEvent({ profileId: this.o.profileId, event, clientid: c.clientid, channel: c.channel, protocol: c.protocol, at, source: 'polling' });
    };
    for (const [k, c] of old) if (!next.has(k)) emit(c, 'disconnect');
    for (const [k, c] of next) if (!old.has(k)) emit(c, 'connect');
  }
}

function protocolName(protocol: string): string {
  return protocol === 'socketio' ? 'ws' : protocol === 'mqtts' ? 'mqtt' : protocol;
}

function toDTO(c: BeebotteConnection, own: boolean): ConnectionDTO {
  return { ...c, protocol: protocolName(c.protocol), own };
}
