import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import type { SessionState, SessionStatus } from '../../api.js';
import type { Clock } from '../platform.js';
import { describeConnectError, isAuthFailure } from './errors.js';
import { nextDelay, type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';

export interface SessionConfig {
  profileId: string;
  /** mqtt://host:port, mqtts://…, ws://… */
  url: string;
  /** host name shown in errors ("token rejected by mqtt.beebotte.com …") */
  displayHost: string;
  options: Pick<
    IClientOptions,
    'username' | 'password' | 'clientId' | 'protocolVersion' | 'ca' | 'cert' | 'key' | 'rejectUnauthorized' | 'servername'
  >;
  subscriptions: { filter: string; qos: 0 | 1 }[];
  /** what the user should check when the broker refuses the credential */
  credentialHint: string;
  backoff?: BackoffPolicy;
  connectTimeoutMs?: number;
  keepaliveSeconds?: number;
}

export interface SessionEvents {
  state: [SessionState];
  message: [topic: string, payload: Buffer, packet: IPublishPacket];
  connected: [];
}

/**
 * One MQTT session (mqtt.js). We own the reconnect policy instead of mqtt.js's fixed period:
 * exponential backoff with jitter, resubscribe on every connect, and no retry at all after the broker
 * refused the credential (CONNACK 4/5) — a wrong token must not hammer the broker.
 */
export class Session extends EventEmitter<SessionEvents> {
  private client: MqttClient | null = null;
  private status: SessionStatus = 'idle';
  private error: string | undefined;
  private since: number;
  private retryAt: number | undefined;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private wanted = false;
  outboxSize = 0;

  constructor(
    readonly config: SessionConfig,
    private readonly clock: Clock,
  ) {
    super();
    this.since = clock.now();
  }

  get state(): SessionState {
    return {
      profileId: this.config.profileId,
      status: this.status,
      since: this.since,
      outbox: this.outboxSize,
      ...(this.error ? { error: this.error } : {}),
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
    const client = this.client;
    this.client = null;
    this.retryAt = undefined;
    this.setStatus('closed');
    if (client) await client.endAsync(false).catch(() => undefined);
  }

  /** Publishes on the live connection. QoS 1 resolves on PUBACK. Throws when not connected. */
  async publish(topic: string, payload: Buffer, opts: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    const client = this.client;
    if (!client || !this.connected) throw new Error('not connected');
    await client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain ?? false });
  }

  async subscribe(filter: string, qos: 0 | 1): Promise<number> {
    if (!this.config.subscriptions.some((s) => s.filter === filter)) this.config.subscriptions.push({ filter, qos });
    const client = this.client;
    if (!client || !this.connected) return -1;
    const granted = await client.subscribeAsync(filter, { qos });
    return granted[0]?.qos ?? 128;
  }

  private open(status: 'connecting' | 'reconnecting'): void {
    this.setStatus(status);
    const { options } = this.config;
    const client = mqtt.connect(this.config.url, {
      ...options,
      reconnectPeriod: 0, // our policy, below
      connectTimeout: this.config.connectTimeoutMs ?? 10_000,
      keepalive: this.config.keepaliveSeconds ?? 30,
      clean: true,
      resubscribe: false,
      queueQoSZero: false,
    });
    this.client = client;
    let refused: string | null = null;

    client.on('connect', () => {
      if (this.client !== client) return;
      this.attempt = 0;
      this.error = undefined;
      this.retryAt = undefined;
      this.setStatus('connected');
      void this.resubscribe(client);
      this.emit('connected');
    });
    client.on('message', (topic, payload, packet) => {
      if (this.client === client) this.emit('message', topic, payload, packet);
    });
    client.on('error', (err) => {
      if (this.client !== client) return;
      if (isAuthFailure(err)) refused = describeConnectError(err, this.config.displayHost, this.config.credentialHint);
      else this.error = describeConnectError(err, this.config.displayHost, this.config.credentialHint);
    });
    client.on('close', () => {
      if (this.client !== client) return;
      client.removeAllListeners('connect');
      client.end(true);
      this.client = null;
      if (!this.wanted) return;
      if (refused) {
        this.error = refused;
        this.wanted = false;
        this.setStatus('failed');
        return;
      }
      this.scheduleRetry();
    });
  }

  private async resubscribe(client: MqttClient): Promise<void> {
    for (const { filter, qos } of this.config.subscriptions) {
      try {
        const granted = await client.subscribeAsync(filter, { qos });
        if (granted[0] && granted[0].qos === 128) {
          this.error = `the broker refused the subscription to ${filter} (SUBACK 0x80): the credential has no rights on it`;
          this.setStatus('connected');
        }
      } catch {
        return; // connection dropped mid-subscribe: the next connect resubscribes
      }
    }
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
