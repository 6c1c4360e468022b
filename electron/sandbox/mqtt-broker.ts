/**
 * The MQTT side: aedes with Beebotte's rules. Credentials are checked at CONNECT, every topic is moved
 * into the client's account space (see topics.ts) on the way in and back out on the way to a subscriber,
 * subscriptions are capped at QoS 1, JSON `{"data":…}` publishes are persisted (`write`) and bridged.
 * Last wills are published by this module, not by aedes (see publishWill). Client ids are namespaced per
 * account and credential (mqtt-client-id.ts) and packet sizes bounded (mqtt-limits.ts).
 */
import {
  Aedes,
  type AedesPublishPacket,
  type AuthenticateError,
  type Client,
  type PublishPacket,
  type Subscription,
} from 'aedes';
import type { Duplex } from 'node:stream';
import type { BridgeMessage, SignalData, SignalEvent } from './bridge.js';
import { mqttPayload } from './bridge.js';
import { type ConnectionRegistry, credentialOf } from './connections.js';
import type { DataService } from './data.js';
import { SandboxError } from './errors.js';
import { type ClientInternals, type ParsedPacket, isQueuedCopy } from './aedes-internals.js';
import { type Principal, NAME_PATTERN } from './model.js';
import { resolveMqttCredential } from './mqtt-auth.js';
import { CLIENT_ID_PREFIX_LENGTH, internalClientId, publicClientId } from './mqtt-client-id.js';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  MAX_PACKET_BYTES_BEFORE_LOGIN,
  capPacketSize,
  maxPacketBytesAfterLogin,
} from './mqtt-limits.js';
import { readEnvelopeBytes } from './payload.js';
import { channelResource, publishAllowed, subscribeAllowed } from './mqtt-rights.js';
import {
  clientTopic,
  internalDataTopic,
  internalFilter,
  internalSignalTopic,
  isSignalingFilter,
  stripOwnSpace,
} from './topics.js';

type Protocol = 'mqtt' | 'mqtts';

interface ClientState {
  protocol: Protocol;
  remote?: string;
  principal: Principal | null;
  /** the CONNECT's last will, already checked against the credential's rights; client-side topic */
  will?: Will;
  /** the client said DISCONNECT: its will is discarded */
  saidDisconnect?: boolean;
  unregister?: () => void;
}

interface Will {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

export interface BrokerDeps {
  data: DataService;
  connections: ConnectionRegistry;
  log: (line: string) => void;
  /** Largest message body (REST and WebSocket share it); MQTT packets may be a little larger (topic, header). */
  maxBodyBytes: number;
  /** A socket that has not sent a complete CONNECT by then is closed (default 5 s). */
  connectTimeoutMs?: number;
}

export class SandboxBroker {
  private readonly states = new WeakMap<Client, ClientState>();
  private closing = false;

  private constructor(
    readonly aedes: Aedes,
    private readonly deps: BrokerDeps,
  ) {}

  static async create(deps: BrokerDeps): Promise<SandboxBroker> {
    let self: SandboxBroker | null = null;
    const aedes = await Aedes.createBroker({
      connectTimeout: deps.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      // MQTT 3.1's 23-character limit, applied to what the client sent (ids carry a fixed-length prefix)
      maxClientsIdLength: 23 + CLIENT_ID_PREFIX_LENGTH,
      authenticate: (client, username, password, done) => self!.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => self!.authorizePublish(client, packet, done),
      authorizeSubscribe: (client, sub, done) => done(null, self!.authorizeSubscribe(client, sub)),
      authorizeForward: (client, packet) => self!.forward(client, packet),
    });
    self = new SandboxBroker(aedes, deps);
    self.wireEvents();
    deps.data.bridge.attachMqtt(
      (message) => self!.publishBridged(message),
      (owner, event, data) => self!.publishSignal(owner, event, data),
    );
    return self;
  }

  /** Hands a freshly accepted socket to aedes. */
  handle(socket: Duplex, protocol: Protocol, remote?: string): void {
    const client = this.aedes.handle(socket) as ClientInternals;
    const state: ClientState = { protocol, principal: null };
    if (remote) state.remote = remote;
    this.states.set(client, state);
    if (!client._parser) throw new Error('aedes internals changed: the sandbox needs Client._parser (aedes 1.x)');
    // Runs before aedes sees each packet: the only place to grant QoS 1 for a QoS 2 subscription and
    // to move UNSUBSCRIBE topics into the account space (aedes has no hooks for either).
    client._parser.prependListener('packet', (packet) => this.rewriteIncoming(state, packet));
    const afterLogin = maxPacketBytesAfterLogin(this.deps.maxBodyBytes);
    const limit = () => (state.principal ? afterLogin : MAX_PACKET_BYTES_BEFORE_LOGIN);
    capPacketSize(client._parser, limit, (cmd, length) =>
      this.deps.log(`mqtt: ${remote ?? 'unknown'} closed: ${cmd} of ${length} bytes is over the ${limit()}-byte limit`),
    );
  }

  /** The client id the client sent (aedes holds a namespaced one). */
  private idOf(client: Client): string {
    return publicClientId(client.id);
  }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => this.aedes.close(() => resolve()));
  }

  private rewriteIncoming(state: ClientState, packet: ParsedPacket): void {
    if (packet.cmd === 'connect') {
      // credentials are resolved synchronously here so packets pipelined behind CONNECT see the account
      state.principal = resolveMqttCredential(this.deps.data.accounts, packet.username, packet.password);
      // sessions, takeovers and queued messages are keyed by client id in aedes: give it one per account and
      // credential (an empty id stays empty: aedes makes up a unique one)
      if (state.principal && packet.clientId) packet.clientId = internalClientId(state.principal, packet.clientId);
      // aedes never sees the will: publishWill sends it, in the account space, before the disconnect signal
      // (aedes would run it through authorizePublish with the topic already moved, and could let a QoS 0
      // signal overtake a QoS 1 will, which its per-client dedupe then drops). Outside the rights: gone now.
      const will = packet.will;
      packet.will = undefined;
      if (will && state.principal && publishAllowed(state.principal, will.topic)) {
        state.will = {
          topic: will.topic,
          payload: Buffer.isBuffer(will.payload) ? will.payload : Buffer.from(will.payload ?? ''),
          qos: Math.min(will.qos ?? 0, 1),
          retain: will.retain ?? false,
        };
      }
    } else if (packet.cmd === 'disconnect') {
      state.saidDisconnect = true;
    } else if (packet.cmd === 'subscribe' && packet.subscriptions) {
      for (const sub of packet.subscriptions) if (sub.qos > 1) sub.qos = 1;
    } else if (packet.cmd === 'unsubscribe' && packet.unsubscriptions && state.principal) {
      const owner = state.principal.owner;
      packet.unsubscriptions = packet.unsubscriptions.map((t) => internalFilter(owner, t));
    }
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const state = this.states.get(client);
    const principal = state?.principal ?? resolveMqttCredential(this.deps.data.accounts, username, password);
    if (!state || !principal) {
      this.deps.log(`mqtt: connection from ${state?.remote ?? 'unknown'} refused (CONNACK 5): credential not recognised`);
      const error = new Error('not authorized: unknown token or secret key') as AuthenticateError;
      error.returnCode = 5;
      done(error, false);
      return;
    }
    state.principal = principal;
    done(null, true);
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void): void {
    if (!client) return done(null);
    const principal = this.states.get(client)?.principal;
    if (!principal || !publishAllowed(principal, packet.topic)) {
      this.deps.log(`mqtt: ${this.idOf(client)} published outside its rights: connection closed`);
      return done(new Error('publish outside the credential rights'));
    }
    try {
      this.ingest(principal.owner, packet);
    } catch (err) {
      const why = err instanceof SandboxError ? err.message : String(err);
      this.deps.log(`mqtt: ${this.idOf(client)} write refused (${why}): connection closed`);
      return done(new Error(why));
    }
    packet.topic = internalDataTopic(principal.owner, packet.topic);
    done(null);
  }

  /** JSON envelopes on `channel/resource` are persisted (write) and bridged; anything else is only relayed. */
  private ingest(owner: string, packet: PublishPacket): void {
    const levels = packet.topic.split('/');
    if (levels.length !== 2 || !NAME_PATTERN.test(levels[1]!)) return;
    const envelope = readEnvelopeBytes(packet.payload);
    if (!envelope) return;
    const message: BridgeMessage = {
      owner,
      channel: levels[0]!,
      resource: levels[1]!,
      data: envelope.data,
      ispublic: envelope.ispublic ?? false,
      ts: envelope.ts || Date.now(), // ts 0 (or none): reception time
    };
    if (envelope.write) this.deps.data.write(message, 'mqtt');
    else this.deps.data.publish(message, 'mqtt');
  }

  /** SUBACK 0x80 (null) outside the rights; otherwise the subscription, moved into the account space. */
  private authorizeSubscribe(client: Client, sub: Subscription): Subscription | null {
    const principal = this.states.get(client)?.principal;
    if (!principal) return null;
    const filter = stripOwnSpace(principal.owner, sub.topic);
    if (!subscribeAllowed(principal, filter)) {
      this.deps.log(`mqtt: ${this.idOf(client)} subscription outside its rights refused (SUBACK 0x80)`);
      return null;
    }
    sub.topic = internalFilter(principal.owner, filter);
    if (sub.qos > 1) sub.qos = 1;
    return sub;
  }

  /**
   * Leaves the account space on the way out; never delivers another account's topic, nor one the credential
   * may no longer read (a queued message is checked again when its session resumes).
   */
  private forward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const principal = this.states.get(client)?.principal;
    if (!principal) return null;
    const topic = clientTopic(principal.owner, packet.topic);
    if (topic === null || !subscribeAllowed(principal, topic)) return null;
    // QoS 2 publishes are delivered at QoS 1 at most: subscriptions never get more than 1
    const qos = Math.min(packet.qos, 1) as 0 | 1;
    if (isQueuedCopy(packet)) {
      // aedes replays a resumed session's queue by writing the packet it passed here, not the one returned:
      // that packet is this client's own copy, so it is moved out of the account space in place
      packet.topic = topic;
      packet.qos = qos;
      return packet;
    }
    return { ...packet, topic, qos } as AedesPublishPacket;
  }

  private wireEvents(): void {
    const { aedes } = this;
    aedes.on('clientReady', (client) => {
      const state = this.states.get(client);
      if (!state?.principal) return;
      const p = state.principal;
      if (!this.stillValid(p)) {
        // revoked between CONNECT and now: the drop that came with the revocation could not see this one yet
        this.deps.log(`mqtt: ${this.idOf(client)} dropped: its token was revoked while it connected`);
        client.close();
        return;
      }
      const entry = {
        owner: p.owner,
        userid: this.idOf(client),
        sid: this.idOf(client),
        protocol: state.protocol,
        connectedAt: Date.now(),
        drop: () => client.close(),
        ...credentialOf(p),
        ...(state.remote ? { remote: state.remote } : {}),
      };
      state.unregister = this.deps.connections.add(entry);
      this.signalFor(client, 'connect', p.kind === 'channel' ? p.channel : '*', '*');
      this.deps.log(`mqtt: ${this.idOf(client)} connected to account ${p.owner} (${p.kind})`);
    });
    aedes.on('clientDisconnect', (client) => {
      const state = this.states.get(client);
      state?.unregister?.();
      if (state?.principal) {
        const p = state.principal;
        const signal = () => this.signalFor(client, 'disconnect', p.kind === 'channel' ? p.channel : '*', '*');
        const will = state.will;
        state.will = undefined;
        if (will && !state.saidDisconnect) this.publishWill(this.idOf(client), p, will, signal);
        else signal();
      }
    });
    aedes.on('subscribe', (subs, client) => this.afterSubscribe(subs, client));
    aedes.on('unsubscribe', (topics, client) => {
      const owner = this.states.get(client)?.principal?.owner;
      if (!owner) return;
      for (const internal of topics) {
        const filter = clientTopic(owner, internal);
        if (filter) this.signalFor(client, 'unsubscribe', ...channelResource(filter));
      }
    });
    aedes.on('clientError', () => undefined);
    aedes.on('connectionError', () => undefined);
  }

  /**
   * A client gone without DISCONNECT: its will goes to its account like a publish of its own (persisted and
   * bridged when it is a JSON envelope) — unless its credential was revoked meanwhile (the token regenerated
   * or the channel deleted, which is also why the connection was dropped). `then` runs once it is out.
   */
  private publishWill(clientId: string, principal: Principal, will: Will, then: () => void): void {
    if (this.closing) return then();
    if (!this.stillValid(principal) || !publishAllowed(principal, will.topic)) {
      this.deps.log(`mqtt: ${clientId} last will dropped: its credential is no longer valid`);
      return then();
    }
    try {
      this.ingest(principal.owner, {
        cmd: 'publish',
        topic: will.topic,
        payload: will.payload,
        qos: will.qos as 0 | 1,
        retain: will.retain,
        dup: false,
      });
    } catch (err) {
      this.deps.log(`mqtt: ${clientId} last will refused (${err instanceof SandboxError ? err.message : String(err)})`);
      return then();
    }
    const packet = {
      cmd: 'publish' as const,
      topic: internalDataTopic(principal.owner, will.topic),
      payload: will.payload,
      qos: will.qos as 0 | 1,
      retain: will.retain,
      dup: false,
    };
    this.aedes.publish(packet, () => then());
  }

  /** A token can be revoked while its connection lives; an account's secret key cannot (no route changes it). */
  private stillValid(principal: Principal): boolean {
    if (principal.kind === 'account') return true;
    return this.deps.data.accounts.resolveToken(principal.token)?.owner === principal.owner;
  }

  private afterSubscribe(subs: Subscription[], client: Client): void {
    const owner = this.states.get(client)?.principal?.owner;
    if (!owner) return;
    for (const sub of subs) {
      if ((sub.qos as number) === 128) continue; // refused (SUBACK 0x80)
      const filter = clientTopic(owner, sub.topic);
      if (!filter) continue;
      this.signalFor(client, 'subscribe', ...channelResource(filter)); // signaling/# too, as the SDK's tests expect
      if (isSignalingFilter(filter)) continue;
      for (const last of this.deps.data.lastValues(owner, filter)) {
        const payload = mqttPayload({
          owner,
          channel: last.channel,
          resource: last.resource,
          data: last.record.data,
          ispublic: last.ispublic,
          ts: last.record.ts,
        });
        client.publish(
          {
            cmd: 'publish',
            topic: internalDataTopic(owner, `${last.channel}/${last.resource}`),
            payload,
            qos: 0,
            retain: false,
            dup: false,
          },
          () => undefined,
        );
      }
    }
  }

  private signalFor(client: Client, event: SignalEvent, channel: string, resource: string): void {
    const state = this.states.get(client);
    if (!state?.principal) return;
    this.deps.data.bridge.signal(state.principal.owner, event, {
      protocol: 'mqtt', // over TLS too: the SDK's tests (run with useSSL) expect 'mqtt'
      channel,
      resource,
      clientid: this.idOf(client),
    });
  }

  private publishBridged(message: BridgeMessage): void {
    const topic = internalDataTopic(message.owner, `${message.channel}/${message.resource}`);
    this.aedes.publish(
      { cmd: 'publish', topic, payload: mqttPayload(message), qos: 1, retain: false, dup: false },
      () => undefined,
    );
  }

  private publishSignal(owner: string, event: SignalEvent, data: SignalData): void {
    const payload = Buffer.from(JSON.stringify({ data: { ...data, owner }, ispublic: false, ts: Date.now() }));
    this.aedes.publish(
      { cmd: 'publish', topic: internalSignalTopic(owner, event), payload, qos: 0, retain: false, dup: false },
      () => undefined,
    );
  }
}
