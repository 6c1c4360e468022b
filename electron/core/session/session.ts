import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import mqtt, { UniqueMessageIdProvider, type IClientPublishOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import type { SessionState, SessionStatus } from '../../api.js';
import type { Clock } from '../platform.js';
import { describeConnectError, isAuthFailure } from './errors.js';
import { nextDelay, DEFAULT_BACKOFF } from './backoff.js';
import { reasonText } from './properties.js';
import { readInBursts } from './read-bursts.js';
import type { SessionConfig, SessionSubscription } from './session-config.js';
import { forgetSubscription, keepSubscription, refusedSubscriptionText, subscribeOn } from './subscribing.js';

/** DEBUG=mqttjs* (or *) turns mqtt.js's own log back on */
const MQTT_DEBUG = /mqttjs|\*/.test(process.env.DEBUG ?? '');
const quiet = (): void => undefined;

export { subscribeRefusal, type SessionConfig, type SessionSubscription } from './session-config.js';

/**
 * A connection must stay up this long before the reconnect backoff starts over. Resetting it on every CONNACK
 * let a broker that accepts and then drops at once (a message it refuses, a rights problem) loop every ~0.3 s.
 */
export const STABLE_CONNECTION_MS = 15_000;

/** How long a disconnect waits for in-flight acknowledgements before it closes the socket anyway. */
export const GRACEFUL_END_MS = 2000;

/** Thrown by publish() when there is no live connection: nothing was sent. */
export class NotConnectedError extends Error {
  constructor() {
    super('not connected');
    this.name = 'NotConnectedError';
  }
}

const MAX_PROBLEMS = 5;

export interface SessionEvents {
  state: [SessionState];
  message: [topic: string, payload: Buffer, packet: IPublishPacket];
  connected: [];
  /** a connection that had reached CONNACK closed while the session was wanted (times in ms since epoch) */
  dropped: [connectedAt: number, droppedAt: number];
}

/** Packets that answer something we sent: proof that the broker reads what this connection carries. */
const ANSWERS = new Set(['suback', 'unsuback', 'puback', 'pubrec', 'pubcomp', 'pingresp']);

/** How a liveness probe (a PINGREQ) ended. */
export type ProbeResult = 'answered' | 'timeout' | 'dropped';

/**
 * One MQTT session (mqtt.js). We own the reconnect policy instead of mqtt.js's fixed period:
 * exponential backoff with jitter (starting over only once a connection stayed up STABLE_CONNECTION_MS),
 * resubscribe on every connect (a refused filter is reported and dropped, the others still subscribed), and
 * no retry at all after the broker refused the credential (CONNACK 4/5) — a wrong token must not hammer the broker.
 */
export class Session extends EventEmitter<SessionEvents> {
  private client: MqttClient | null = null;
  private status: SessionStatus = 'idle';
  private error: string | undefined;
  private since: number;
  private retryAt: number | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private stableTimer: NodeJS.Timeout | null = null;
  private wanted = false;
  /** things the user should fix that do not stop the session (a refused subscription, a dropped message) */
  private readonly problems = new Map<string, string>();
  outboxSize = 0;
  deadLetters = 0;
  /** when the current connection got its CONNACK (0 when not connected) */
  connectedAt = 0;
  /** when the broker first answered something sent on the current connection (0: not yet) */
  answeredAt = 0;

  constructor(
    readonly config: SessionConfig,
    private readonly clock: Clock,
  ) {
    super();
    this.since = clock.now();
  }

  get state(): SessionState {
    const error = [this.error, ...this.problems.values()].filter(Boolean).join('; ');
    return {
      profileId: this.config.profileId,
      status: this.status,
      since: this.since,
      outbox: this.outboxSize,
      ...(this.deadLetters ? { deadLetters: this.deadLetters } : {}),
      ...(error ? { error } : {}),
      ...(this.retryAt ? { retryAt: this.retryAt } : {}),
    };
  }

  get connected(): boolean {
    return this.status === 'connected' && this.client?.connected === true;
  }

  connect(): void {
    this.wanted = true;
    this.attempt = 0;
    this.clearRetry();
    this.open('connecting');
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    this.clearRetry();
    this.clearStable();
    const client = this.client;
    this.client = null;
    this.retryAt = undefined;
    this.setStatus('closed');
    if (!client) return;
    // mqtt.js's graceful end waits for every in-flight PUBACK (forever, if the broker never sends one), and a
    // forced end called after it does nothing. So: messages in flight → force at once, which fails their
    // callbacks ("Connection closed") and destroys the socket. Nothing is lost: they are still in the outbox.
    if (Object.keys(client.outgoing ?? {}).length > 0) {
      await client.endAsync(true).catch(() => undefined);
      return;
    }
    // otherwise a DISCONNECT packet, and the socket destroyed if the broker does not close it in time
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      client.endAsync(false).then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), GRACEFUL_END_MS))),
    ]);
    clearTimeout(timer);
    if (!ended) client.stream?.destroy();
  }

  /**
   * Publishes on the live connection. QoS 1 resolves on PUBACK. Throws NotConnectedError when not connected
   * (nothing sent); rejects with mqtt.js's error when the connection closes before the PUBACK, or with an
   * error carrying the reason code when an MQTT 5 broker refuses the message.
   */
  async publish(
    topic: string,
    payload: Buffer,
    opts: { qos: 0 | 1 | 2; retain?: boolean; properties?: IClientPublishOptions['properties'] },
  ): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) throw new NotConnectedError();
    const properties = this.config.options.protocolVersion === 5 ? opts.properties : undefined;
    await client.publishAsync(topic, payload, {
      qos: opts.qos,
      retain: opts.retain ?? false,
      ...(properties ? { properties } : {}),
    });
  }

  /** The filters kept, with their options (paused ones too). */
  get subscriptions(): SessionSubscription[] {
    return this.config.subscriptions.map((s) => ({ ...s }));
  }

  /** Unsubscribes now (when connected) and forgets the filter for reconnects. */
  async unsubscribe(filter: string): Promise<void> {
    const known = this.config.subscriptions.find((s) => s.filter === filter);
    forgetSubscription(this.config.subscriptions, filter);
    this.clearProblem(`subscribe:${filter}`);
    const client = this.client;
    if (!client || !this.connected || known?.paused) return;
    await client.unsubscribeAsync(filter).catch(() => undefined); // dropped: the next connect does not resubscribe it
  }

  /** Pauses (unsubscribes on the broker, keeps the filter) or resumes a kept filter. */
  async pause(filter: string, paused: boolean): Promise<number> {
    const known = this.config.subscriptions.find((s) => s.filter === filter);
    if (!known) return 0x80;
    if (Boolean(known.paused) === paused) return known.qos;
    if (paused) {
      known.paused = true;
      const client = this.client;
      if (client && this.connected) await client.unsubscribeAsync(filter).catch(() => undefined);
      return known.qos;
    }
    known.paused = false;
    return this.subscribe(known);
  }

  /**
   * Subscribes now (when connected) and for every reconnect, but keeps the filter only once the broker granted
   * it. Returns the granted QoS, a code ≥ 0x80 when refused (not kept), or -1 when not connected right now
   * (kept: subscribed on the next connect, and dropped there if refused).
   */
  async subscribe(subscription: SessionSubscription): Promise<number> {
    const { filter } = subscription;
    const client = this.client;
    if (!client || !this.connected || subscription.paused) {
      keepSubscription(this.config.subscriptions, subscription);
      return -1;
    }
    let code: number;
    try {
      code = await subscribeOn(client, subscription, this.config.options.protocolVersion === 5);
    } catch {
      keepSubscription(this.config.subscriptions, subscription); // the connection dropped mid-subscribe: the next connect tries it
      return -1;
    }
    if (code >= 0x80) {
      forgetSubscription(this.config.subscriptions, filter);
      return code;
    }
    keepSubscription(this.config.subscriptions, subscription);
    if (this.problems.delete(`subscribe:${filter}`)) this.emit('state', this.state);
    return code;
  }

  /**
   * Sends a PINGREQ and waits for the broker to answer anything we sent on this connection: a link that passes
   * the CONNACK but swallows what we send never answers. Answers at once when it already did.
   */
  async probe(timeoutMs: number): Promise<ProbeResult> {
    const client = this.client;
    if (!client || !this.connected) return 'dropped';
    if (this.answeredAt) return 'answered';
    return new Promise<ProbeResult>((resolve) => {
      const done = (result: ProbeResult) => {
        clearTimeout(timer);
        client.off('packetreceive', onPacket);
        client.off('close', onClose);
        resolve(result);
      };
      const onPacket = () => {
        if (this.answeredAt) done('answered');
      };
      const onClose = () => done('dropped');
      const timer = setTimeout(() => done(this.client === client && this.connected ? 'timeout' : 'dropped'), timeoutMs);
      client.on('packetreceive', onPacket);
      client.on('close', onClose);
      client.sendPing();
    });
  }

  /** Waits ms on the current connection: true when it is still up after them, false as soon as it closes. */
  async stayUp(ms: number): Promise<boolean> {
    const client = this.client;
    if (!client || !this.connected) return false;
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        client.off('close', onClose);
        resolve(false);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        resolve(true);
      };
      client.once('close', onClose);
    });
    return !closed && this.client === client && this.connected;
  }

  /** The text for a refused subscription: what to check. */
  refusedSubscription(filter: string, code: number): string {
    return refusedSubscriptionText(filter, code, this.config.rightsHolder ?? 'the credential');
  }

  /** Takes back a problem shown with reportProblem (the user dealt with it). */
  clearProblem(key: string): void {
    if (this.problems.delete(key)) this.emit('state', this.state);
  }

  /** Shows a problem in the session's error until the session ends (or `clearProblem`); the newest few are kept. */
  reportProblem(key: string, text: string): void {
    this.problems.delete(key);
    this.problems.set(key, text);
    while (this.problems.size > MAX_PROBLEMS) this.problems.delete(this.problems.keys().next().value!);
    this.emit('state', this.state);
  }

  private open(status: 'connecting' | 'reconnecting'): void {
    this.setStatus(status);
    const { options } = this.config;
    const client = mqtt.connect(this.config.url, {
      ...options,
      reconnectPeriod: 0, // our policy, below
      connectTimeout: this.config.connectTimeoutMs ?? 10_000,
      keepalive: this.config.keepaliveSeconds ?? 30,
      clean: this.config.cleanStart ?? true,
      ...(this.config.outgoingStore ? { outgoingStore: this.config.outgoingStore() } : {}),
      ...(this.config.incomingStore ? { incomingStore: this.config.incomingStore() } : {}),
      resubscribe: false,
      queueQoSZero: false,
      // ids of the QoS 2 packets replayed from the store are reserved before any new publish takes one (the
      // default provider reserves nothing: a new PUBLISH could take the id of a PUBREL still waiting for PUBCOMP)
      messageIdProvider: new UniqueMessageIdProvider(),
      // mqtt.js logs ~10 times a packet through `debug`, which checks DEBUG each time: silent unless DEBUG asks
      ...(MQTT_DEBUG ? {} : { log: quiet }),
    });
    this.client = client;
    let refused: string | null = null;

    client.on('connect', () => {
      if (this.client !== client) return;
      // the backoff starts over only once this connection has stayed up a while (see STABLE_CONNECTION_MS)
      this.armStable(client);
      // a flood is read in bursts, a few ms apart, not a wake-up per message (read-bursts.ts)
      readInBursts(client.stream as unknown as Duplex);
      this.connectedAt = this.clock.now();
      this.answeredAt = 0;
      this.error = undefined;
      this.retryAt = undefined;
      this.setStatus('connected');
      void this.resubscribe(client);
      this.emit('connected');
    });
    client.on('message', (topic, payload, packet) => {
      if (this.client === client) this.emit('message', topic, payload, packet);
    });
    client.on('packetreceive', (packet) => {
      if (this.client === client && !this.answeredAt && ANSWERS.has(packet.cmd)) this.answeredAt = this.clock.now();
    });
    client.on('disconnect', (packet) => {
      // MQTT 5: the broker says why it ends the connection (session taken over, administrative action…)
      if (this.client !== client) return;
      const code = packet.reasonCode ?? 0;
      const why = packet.properties?.reasonString ? ` — ${packet.properties.reasonString}` : '';
      this.error = `${this.config.displayHost} ended the connection: ${reasonText(code)}${why}`;
      this.emit('state', this.state);
    });
    client.on('error', (err) => {
      if (this.client !== client) return;
      if (isAuthFailure(err)) refused = describeConnectError(err, this.config.displayHost, this.config.credentialHint);
      else this.error = describeConnectError(err, this.config.displayHost, this.config.credentialHint);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      this.clearStable();
      client.removeAllListeners('connect');
      client.end(true);
      this.client = null;
      const connectedAt = this.connectedAt;
      this.connectedAt = 0;
      if (!this.wanted) return;
      if (connectedAt) this.emit('dropped', connectedAt, this.clock.now());
      if (refused) {
        this.error = refused;
        this.wanted = false;
        this.setStatus('failed');
        return;
      }
      this.scheduleRetry();
    });
  }

  /** Every kept filter, one after the other; a refused one is reported and dropped, the rest still subscribed. */
  private async resubscribe(client: MqttClient): Promise<void> {
    for (const subscription of [...this.config.subscriptions]) {
      if (this.client !== client) return;
      if (subscription.paused) continue;
      const { filter } = subscription;
      let code: number;
      try {
        code = await subscribeOn(client, subscription, this.config.options.protocolVersion === 5);
      } catch {
        return; // connection dropped mid-subscribe: the next connect resubscribes
      }
      if (code >= 0x80) {
        forgetSubscription(this.config.subscriptions, filter);
        this.reportProblem(`subscribe:${filter}`, this.refusedSubscription(filter, code));
      }
    }
  }

  private armStable(client: MqttClient): void {
    this.clearStable();
    this.stableTimer = setTimeout(() => {
      this.stableTimer = null;
      if (this.client === client && client.connected) this.attempt = 0;
    }, this.config.stableAfterMs ?? STABLE_CONNECTION_MS);
    this.stableTimer.unref?.();
  }

  private clearStable(): void {
    if (this.stableTimer) clearTimeout(this.stableTimer);
    this.stableTimer = null;
  }

  private scheduleRetry(): void {
    const delay = nextDelay(this.config.backoff ?? DEFAULT_BACKOFF, this.attempt++);
    this.retryAt = this.clock.now() + delay;
    this.setStatus('reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.wanted) this.open('reconnecting');
    }, delay);
    this.retryTimer.unref?.();
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private setStatus(status: SessionStatus): void {
    if (status !== this.status) this.since = this.clock.now();
    this.status = status;
    this.emit('state', this.state);
  }
}
