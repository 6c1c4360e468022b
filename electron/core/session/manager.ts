import type { ParsedParamsOf, PublishResult, SessionState, SubscriptionDTO } from '../../api.js';
import { ApiError } from '../../api.js';
import type { EventBus } from '../events.js';
import type { Ingest } from '../ingest/ingest.js';
import type { Clock, Logger } from '../platform.js';
import type { Profile } from '../profiles/profile.js';
import { NotConnectedError, Session, type SessionConfig, type SessionSubscription } from './session.js';
import { fromPacket, reasonName, toPublishProperties } from './properties.js';
import { RecentRequests } from './replies.js';
import { IncomingQos2Store, Qos2Store } from './qos2-store.js';
import type { InFlightPacket } from '../store/inflight.js';
import { DropJudge, POISON_DROPS, PROBE_TIMEOUT_MS } from './drop-judge.js';
import type { OutboxPort, QueuedItem } from './outbox-port.js';
import { subscriptionDTO } from './subscribing.js';
import { checkMqttFeatures, encodePayload } from './publish-payload.js';

/** How long a connected QoS 1 publish waits for its PUBACK before answering 'queued' (it stays in the outbox). */
export const LIVE_ACK_WAIT_MS = 5000;

type LiveOutcome = 'sent' | 'queued' | { refused: string };

/** How many queued messages the drain keeps unacknowledged on the wire (as many as the batches it sent before). */
export const DRAIN_WINDOW = 100;

/** The next queued messages to send, at most `room`: none of `sent` (on the wire, or refused and not yet set aside). */
type Take = (room: number, sent: ReadonlySet<number>) => QueuedItem[];

export interface SessionManagerDeps {
  bus: EventBus;
  ingest: Ingest;
  outbox: OutboxPort;
  clock: Clock;
  log: Logger;
  /** builds the connection from the profile and its secret (read from the vault by the caller) */
  configFor(profile: Profile, secretOverride?: string): Promise<SessionConfig>;
}

/** Several live sessions at once, one per profile; publishes go live or to the persistent outbox. */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly draining = new Set<string>();
  /** a connect arrived while a drain was finishing: drain again after it */
  private readonly redrain = new Set<string>();
  /** per profile: the queued message suspected of making the broker close the connection (see drop-judge.ts) */
  private readonly judge = new DropJudge();
  /** profiles with queued messages on the wire right now: a drop then is judged against the oldest one */
  private readonly sending = new Set<string>();
  private readonly profileKinds = new Map<string, Profile['kind']>();
  /** the secret typed at connect ('ask at connect'), so restart() can build the session again without asking */
  private readonly typedSecrets = new Map<string, string>();
  /** live QoS 1 publishes waiting for their outbox row's PUBACK (outbox id → settle) */
  private readonly ackWaiters = new Map<number, (outcome: LiveOutcome) => void>();
  /** requests published with correlation data: a message carrying the same bytes is their reply */
  private readonly requests = new RecentRequests();
  /** QoS 2 outbox rows being published now, by profile: the store's PUBLISH is tied to its row by topic and bytes */
  private readonly publishingQos2 = new Map<string, Map<number, { topic: string; payload: Buffer }>>();

  constructor(private readonly deps: SessionManagerDeps) {}

  list(): SessionState[] {
    return [...this.sessions.values()].map((s) => s.state);
  }

  state(profileId: string): SessionState {
    const session = this.sessions.get(profileId);
    if (session) return session.state;
    const deadLetters = this.deps.outbox.deadCount(profileId);
    return {
      profileId,
      status: 'idle',
      since: this.deps.clock.now(),
      outbox: this.deps.outbox.count(profileId),
      ...(deadLetters ? { deadLetters } : {}),
    };
  }

  async connect(profile: Profile, secretOverride?: string): Promise<SessionState> {
    await this.disconnect(profile.id, false);
    if (secretOverride !== undefined) this.typedSecrets.set(profile.id, secretOverride);
    const config = await this.deps.configFor(profile, secretOverride);
    config.rightsHolder ??= profile.kind === 'mqtt' ? 'the login' : 'the token';
    const inFlight = this.deps.outbox.inFlight;
    if (profile.kind === 'mqtt' && inFlight) {
      config.outgoingStore = () =>
        new Qos2Store(profile.id, inFlight, {
          claim: (packet) => this.claimQos2(profile.id, packet),
          completed: (outboxId) => {
            this.deps.outbox.remove(outboxId);
            this.ackWaiters.get(outboxId)?.('sent');
            this.updateOutbox(profile.id);
          },
        });
      config.incomingStore = () => new IncomingQos2Store(profile.id, inFlight);
    }
    const session = new Session(config, this.deps.clock);
    this.judge.forget(profile.id);
    this.profileKinds.set(profile.id, profile.kind);
    session.outboxSize = this.deps.outbox.count(profile.id);
    session.deadLetters = this.deps.outbox.deadCount(profile.id);
    this.sessions.set(profile.id, session);
    session.on('state', (state) => this.deps.bus.emit('session.state', state));
    session.on('message', (topic, payload, packet) => {
      const props = packet.properties ? fromPacket(packet) : undefined;
      const reply = props?.correlationData ? this.requests.match(profile.id, props.correlationData, this.deps.clock.now()) : undefined;
      this.deps.ingest.push(profile.id, topic, payload, packet.qos, packet.retain, false, props ? { props, reply } : undefined);
    });
    session.on('connected', () => void this.drain(profile.id));
    session.on('dropped', (connectedAt, droppedAt) => {
      // nothing of ours on the wire: the link dropped, not a message (a message drop is judged in deliver)
      if (!this.sending.has(profile.id)) this.judge.linkDrop(profile.id, connectedAt, droppedAt);
    });
    session.connect();
    return session.state;
  }

  async disconnect(profileId: string, emit = true): Promise<SessionState> {
    this.typedSecrets.delete(profileId);
    const session = this.sessions.get(profileId);
    if (!session) return this.state(profileId);
    this.sessions.delete(profileId);
    await session.disconnect();
    const state = session.state;
    if (emit) this.deps.bus.emit('session.state', state);
    return state;
  }

  /**
   * Builds the session of an edited profile again, with its new settings: a session keeps the settings it was
   * built with. The secret typed at connect is used again unless the edit gave a new one (`secretChanged`).
   */
  async restart(profile: Profile, secretChanged: boolean): Promise<SessionState> {
    const typed = secretChanged ? undefined : this.typedSecrets.get(profile.id);
    return this.connect(profile, typed);
  }

  /** Adds (or changes) a subscription of a live session (kept for reconnects); QoS 1 by default. */
  async subscribe(profileId: string, filter: string, options: Omit<SessionSubscription, 'filter'> = { qos: 1 }): Promise<SubscriptionDTO[]> {
    const session = this.liveSession(profileId);
    const granted = await session.subscribe({ filter, ...options });
    if (granted >= 0x80) throw new ApiError('failed', session.refusedSubscription(filter, granted));
    return this.subscriptions(profileId);
  }

  async unsubscribe(profileId: string, filter: string): Promise<SubscriptionDTO[]> {
    await this.liveSession(profileId).unsubscribe(filter);
    return this.subscriptions(profileId);
  }

  async pause(profileId: string, filter: string, paused: boolean): Promise<SubscriptionDTO[]> {
    const session = this.liveSession(profileId);
    const code = await session.pause(filter, paused);
    if (code >= 0x80) {
      if (!session.subscriptions.some((s) => s.filter === filter)) throw new ApiError('not_found', `not subscribed to ${filter}`);
      throw new ApiError('failed', session.refusedSubscription(filter, code));
    }
    return this.subscriptions(profileId);
  }

  /** The live session's filters with their options; none when the profile is not connected. */
  subscriptions(profileId: string): SubscriptionDTO[] {
    const session = this.sessions.get(profileId);
    if (!session) return [];
    return session.subscriptions.map(subscriptionDTO);
  }

  /** A connection built like the profile's session (the secret typed at connect too), for a one-off client. */
  async configOf(profile: Profile): Promise<SessionConfig> {
    return this.deps.configFor(profile, this.typedSecrets.get(profile.id));
  }

  private liveSession(profileId: string): Session {
    const session = this.sessions.get(profileId);
    if (!session) throw new ApiError('failed', 'not connected: connect the profile first');
    return session;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.disconnect(id, false)));
  }

  /**
   * QoS 0 goes out at once or fails. QoS 1 is written to the outbox first, connected or not, and leaves it
   * on its PUBACK: a crash or a dropped connection before the PUBACK cannot lose it, and it can never overtake
   * a message queued earlier. Connected, the call waits up to LIVE_ACK_WAIT_MS for that PUBACK ('sent'),
   * then answers 'queued' (it is still delivered, by the outbox).
   */
  async publish(profile: Profile, input: ParsedParamsOf<'messages.publish'>): Promise<PublishResult> {
    checkMqttFeatures(profile, input);
    const payload = encodePayload(profile, input);
    const session = this.sessions.get(profile.id);
    if (input.properties?.correlationData !== undefined) {
      this.requests.remember(profile.id, input.properties.correlationData, input.topic, this.deps.clock.now());
    }
    if (input.qos === 0) {
      if (!session?.connected) {
        throw new ApiError(
          'failed',
          `not sent: ${profile.name} is not connected, and QoS 0 messages are not queued — connect, or publish with QoS 1 to queue it`,
        );
      }
      try {
        await session.publish(input.topic, payload, {
          qos: 0,
          retain: input.retain,
          properties: toPublishProperties(input.properties),
        });
      } catch (err) {
        throw new ApiError('failed', `not sent: ${(err as Error).message}`);
      }
      return { status: 'sent', topic: input.topic, payloadBytes: payload.length };
    }
    let id: number;
    try {
      id = this.deps.outbox.enqueue({
        profileId: profile.id,
        profileName: profile.name,
        topic: input.topic,
        payload,
        qos: input.qos,
        retain: input.retain,
        props: input.properties,
      });
    } catch (err) {
      throw new ApiError('failed', (err as Error).message);
    }
    this.updateOutbox(profile.id);
    const queued: PublishResult = { status: 'queued', topic: input.topic, payloadBytes: payload.length };
    if (!session?.connected) return queued;
    const outcome = await new Promise<LiveOutcome>((resolve) => {
      const timer = setTimeout(() => settle('queued'), LIVE_ACK_WAIT_MS);
      const settle = (o: LiveOutcome) => {
        clearTimeout(timer);
        this.ackWaiters.delete(id);
        resolve(o);
      };
      this.ackWaiters.set(id, settle);
      void this.drain(profile.id);
    });
    if (outcome === 'sent') return { status: 'sent', topic: input.topic, payloadBytes: payload.length };
    if (outcome === 'queued') return queued;
    throw new ApiError('failed', `not sent: ${outcome.refused}`);
  }

  /** The outbox row a QoS 2 PUBLISH going into the store stands for (the first one with its topic and bytes). */
  private claimQos2(profileId: string, packet: InFlightPacket): number | null {
    const publishing = this.publishingQos2.get(profileId);
    if (!publishing) return null;
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    for (const [id, item] of publishing) {
      if (item.topic === packet.topic && payload && item.payload.equals(payload)) {
        publishing.delete(id);
        return id;
      }
    }
    return null;
  }

  /**
   * A dead letter was retried or discarded (handlers/outbox.ts): its problem text goes, the counts follow, and a
   * retried one is delivered now when connected.
   */
  deadLetterChanged(profileId: string, deadLetterId: number): void {
    const session = this.sessions.get(profileId);
    session?.clearProblem(`outbox:${deadLetterId}`);
    this.judge.cleared(profileId, deadLetterId);
    if (!session) {
      this.deps.bus.emit('session.state', this.state(profileId));
      return;
    }
    this.updateOutbox(profileId);
    void this.drain(profileId);
  }

  /**
   * Delivers queued QoS 1 messages in order; each leaves the outbox only after its PUBACK. After a drop, the
   * message that was in flight first (the suspect) is sent alone on the next connections, once the link has
   * proved itself, until it is acknowledged; a message the broker closes the connection over every time is
   * found for sure and moved to the dead letters after POISON_DROPS strikes (drop-judge.ts).
   */
  private async drain(profileId: string): Promise<void> {
    if (this.draining.has(profileId)) {
      this.redrain.add(profileId);
      return;
    }
    this.draining.add(profileId);
    try {
      for (let round = 0; round < 1_000_000; round++) {
        this.redrain.delete(profileId);
        const session = this.sessions.get(profileId);
        if (!session?.connected) return;
        const suspect = this.judge.suspect(profileId);
        const head = this.deps.outbox.peek(profileId, 1)[0];
        if (!head) return;
        if (suspect?.id === head.id && !(await this.proveLink(session, suspect.quietMs))) return; // dropped: the next connect resumes
        let headSent = false;
        const take: Take =
          suspect?.id === head.id
            ? () => (headSent ? [] : ((headSent = true), [head])) // the suspect goes out alone, once
            : // the oldest queued ones not sent yet (those on the wire, or refused, are still in the outbox)
              (room, sent) =>
                this.deps.outbox
                  .peek(profileId, sent.size + room)
                  .filter((i) => !sent.has(i.id))
                  .slice(0, room);
        if (!(await this.deliver(session, profileId, take))) return; // connection lost: the next connect resumes
      }
    } finally {
      this.draining.delete(profileId);
      this.updateOutbox(profileId);
      if (this.redrain.delete(profileId)) void this.drain(profileId);
    }
  }

  /**
   * Before a suspect goes out alone: the broker must answer something on this connection (a PINGREQ probe) and
   * the connection must stay up, with nothing of ours in flight, for the suspect's quiet time. False when it
   * dropped meanwhile (the 'dropped' listener has judged that drop: the link's). A probe left unanswered while
   * the connection stays up does not block delivery: the message goes out, and a drop then cannot be a strike.
   */
  private async proveLink(session: Session, quietMs: number): Promise<boolean> {
    if ((await session.probe(PROBE_TIMEOUT_MS)) === 'dropped') return false;
    const wait = session.connectedAt + quietMs - this.deps.clock.now();
    return wait <= 0 ? session.connected : session.stayUp(wait);
  }

  /**
   * Sends queued messages, pipelined, keeping up to DRAIN_WINDOW unacknowledged on the wire and taking more as
   * PUBACKs come in (waiting for a whole batch held each round to its slowest PUBACK: ~50 ms a round of 100 under
   * concurrent publishing, test/bench/README.md). Returns once nothing is in flight and nothing more is queued, or
   * after a failure (nothing more is sent then): false when the connection dropped before every message sent was
   * acknowledged. A drop is judged against the oldest message that failed, at the time it was sent.
   */
  private async deliver(session: Session, profileId: string, take: Take): Promise<boolean> {
    // mqtt.js keeps them in order on the wire; each leaves the outbox on its PUBACK
    const { connectedAt } = session;
    /** what failed, with when it was sent (seq: the order it was sent in); only the oldest failure is judged */
    const failed: { seq: number; item: QueuedItem; sentAt: number; answeredBeforeSend: boolean; error: unknown }[] = [];
    /** on the wire now: still in the outbox until their PUBACK, so a take skips them */
    const onWire = new Set<number>();
    /** on the wire, plus those refused with a reason code: still queued until set aside below, never sent twice here */
    const sent = new Set<number>();
    let seq = 0;
    let failedAt = 0;
    this.sending.add(profileId);
    let publishing = this.publishingQos2.get(profileId);
    if (!publishing) this.publishingQos2.set(profileId, (publishing = new Map()));
    const qos2 = publishing;
    try {
      await new Promise<void>((finish) => {
        const send = (item: QueuedItem) => {
          const at = { seq: seq++, item, sentAt: this.deps.clock.now(), answeredBeforeSend: session.answeredAt > 0 };
          onWire.add(item.id);
          sent.add(item.id);
          if (item.qos === 2) qos2.set(item.id, { topic: item.topic, payload: item.payload });
          session
            .publish(item.topic, item.payload, {
              qos: item.qos ?? 1,
              retain: item.retain,
              properties: toPublishProperties(item.props),
            })
            .then(() => this.deps.outbox.remove(item.id))
            .then(
              () => {
                this.judge.cleared(profileId, item.id);
                this.ackWaiters.get(item.id)?.('sent');
              },
              (err: unknown) => {
                failed.push({ ...at, error: err ?? new Error('publish failed') });
                // a refusal with a reason code is the message's alone: the others go on
                if (typeof (err as { code?: unknown } | undefined)?.code !== 'number' && !failedAt)
                  failedAt = this.deps.clock.now();
              },
            )
            .finally(() => {
              qos2.delete(item.id);
              onWire.delete(item.id);
              if (!failed.some((f) => f.item.id === item.id)) sent.delete(item.id); // acknowledged: out of the outbox
              fill();
            });
        };
        const fill = () => {
          const room = DRAIN_WINDOW - onWire.size;
          // refilled a quarter window at a time: a peek per PUBACK would cost more than it saves
          if (!failedAt && (onWire.size === 0 || room >= DRAIN_WINDOW / 4)) {
            let items: QueuedItem[] = [];
            try {
              items = take(room, sent);
            } catch (err) {
              this.deps.log.warn(`outbox of ${profileId}: cannot read the queue (${(err as Error).message})`);
            }
            for (const item of items) send(item);
            this.updateOutbox(profileId);
          }
          if (onWire.size === 0) finish();
        };
        fill();
      });
    } finally {
      this.sending.delete(profileId);
    }
    // a drop is judged only on a session the user still wants: not our own disconnect
    const judged = this.sessions.get(profileId) === session;
    this.updateOutbox(profileId);
    let intact = true;
    for (const { item, sentAt, answeredBeforeSend, error } of failed.sort((a, b) => a.seq - b.seq)) {
      const err = error as { code?: unknown; message?: string };
      if (typeof err.code === 'number') {
        // an MQTT 5 PUBACK with a reason code: refused for good, resending cannot help
        const ack = (item.qos ?? 1) === 2 ? 'PUBREC' : 'PUBACK';
        this.moveAside(
          session,
          profileId,
          item,
          `the broker refused ${item.topic} (${ack} 0x${err.code.toString(16)}: ${reasonName(err.code)})`,
        );
        continue;
      }
      this.ackWaiters.get(item.id)?.('queued'); // still in the outbox: the next connection delivers it
      if (intact && judged && !(error instanceof NotConnectedError)) {
        const verdict = this.judge.messageDrop(profileId, {
          id: item.id,
          sentAt,
          droppedAt: failedAt,
          connectedAt,
          answeredBeforeSend,
        });
        if (verdict === 'dead') this.refusedByClosing(session, profileId, item);
      }
      intact = false;
    }
    return intact;
  }

  /** The broker closed the connection over this message POISON_DROPS times, each time on a proven link. */
  private refusedByClosing(session: Session, profileId: string, item: { id: number; topic: string }): void {
    const check =
      this.profileKinds.get(profileId) === 'mqtt'
        ? 'check that the login may publish to that topic'
        : 'check that the channel and resource exist (write:true needs an existing resource) and that the token may write to them';
    this.moveAside(session, profileId, item, `the broker closed the connection each time ${item.topic} was sent (${POISON_DROPS} times): ${check}`);
  }

  /** Out of the queue into the dead letters — never deleted: the user retries it once fixed, or discards it. */
  private moveAside(session: Session, profileId: string, item: { id: number; topic: string }, why: string): void {
    this.ackWaiters.get(item.id)?.({ refused: `${why} (kept in the profile's dead letters)` });
    this.deps.outbox.deadLetter(item.id, why);
    const text = `${why}; the message was moved to the profile's dead letters: retry it once fixed, or discard it`;
    this.deps.log.warn(`outbox of ${profileId}: ${text}`);
    session.reportProblem(`outbox:${item.id}`, text);
    this.updateOutbox(profileId);
  }

  private updateOutbox(profileId: string): void {
    const session = this.sessions.get(profileId);
    if (!session) return;
    const count = this.deps.outbox.count(profileId);
    const dead = this.deps.outbox.deadCount(profileId);
    if (session.outboxSize !== count || session.deadLetters !== dead) {
      session.outboxSize = count;
      session.deadLetters = dead;
      this.deps.bus.emit('session.state', session.state);
    }
  }
}
