import type { MessageBatch, MessageDTO, MessageProps, ReplyMatch } from '../../api.js';
import type { EventBus } from '../events.js';
import type { Clock, Logger } from '../platform.js';
import { decodePayload, type Decoded } from '../codecs/decode.js';
import type { PayloadCodec } from '../codecs/index.js';
import type { NewMessage } from '../store/index.js';

/** What the store must offer the ingest path (MessageLog implements it). */
export interface MessageSink {
  insertBatch(rows: NewMessage[]): number[];
  /** a writer that commits later (off-thread) reports its failures here */
  readonly lastError?: string | null;
}

export type { NewMessage };

/** Later stages of the hot path (explorer stats, alert rules) see each message once, decoded. */
export interface IngestObserver {
  /** `json`: the parsed body when the payload is JSON small enough to parse on ingest (else undefined) */
  observe(message: MessageDTO, payload: Buffer, json?: unknown): void;
  /** once per flush, after all messages of the batch were observed */
  flushed?(now: number): void;
}

export interface IngestOptions {
  sink: MessageSink;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** how often a batch goes to the store and the UI */
  flushMs?: number;
  /** at most this many messages per UI batch; the rest are counted as skipped (they are in the store) */
  uiBatchLimit?: number;
  /** bound on messages waiting for a flush: reaching it stores and observes them at once (the UI still gets
   *  one batch per flush, with the newest messages), so a flood cannot grow memory between two flushes */
  maxPending?: number;
  /** the codec chosen per topic filter (codecs/CodecTable); absent or null = JSON */
  codecs?: { forTopic(topic: string): PayloadCodec | null };
}

interface Pending {
  row: NewMessage;
  decoded: Decoded;
  reply?: ReplyMatch | undefined;
}

/**
 * The one ingest path: decode once → store in one transaction per flush → observers → one coalesced
 * event to the UI every ~75 ms. Never one event per message.
 */
export class Ingest {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly observers: IngestObserver[] = [];
  private storeError: string | null = null;
  private observerError: string | null = null;
  private rateWindow: { at: number; count: number }[] = [];
  private nextLocalId = -1;
  /** DTOs processed since the last flush, newest last, at most 2 × uiLimit */
  private uiTail: MessageDTO[] = [];
  private processed = 0;
  readonly flushMs: number;
  private readonly uiLimit: number;
  private readonly maxPending: number;

  constructor(private readonly options: IngestOptions) {
    this.flushMs = options.flushMs ?? 75;
    this.uiLimit = options.uiBatchLimit ?? 500;
    this.maxPending = options.maxPending ?? 5000;
  }

  addObserver(observer: IngestObserver): void {
    this.observers.push(observer);
  }

  /** Hot path: keep it cheap. */
  push(
    profileId: string,
    topic: string,
    payload: Buffer,
    qos: 0 | 1 | 2,
    retain: boolean,
    own = false,
    mqtt5?: { props?: MessageProps | undefined; reply?: ReplyMatch | undefined },
  ): void {
    const decoded = decodePayload(payload, this.options.codecs?.forTopic(topic));
    this.pending.push({
      row: { profileId, topic, receivedAt: this.options.clock.now(), qos, retain, payload, kind: decoded.kind, own, props: mqtt5?.props },
      decoded,
      reply: mqtt5?.reply,
    });
    if (this.pending.length >= this.maxPending) this.process();
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref?.();
    }
  }

  get lastStoreError(): string | null {
    return this.storeError ?? this.options.sink.lastError ?? null;
  }

  /** Stores and observes what is pending, then sends the UI one batch for everything since the last flush. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.process();
    if (this.processed === 0) return;
    const now = this.options.clock.now();
    for (const observer of this.observers) this.guard(() => observer.flushed?.(now));
    const messages = this.uiTail.length > this.uiLimit ? this.uiTail.slice(-this.uiLimit) : this.uiTail;
    this.options.bus.emit('messages.batch', {
      messages,
      skipped: this.processed - messages.length,
      rate: this.rate(now, this.processed),
    } satisfies MessageBatch);
    this.uiTail = [];
    this.processed = 0;
  }

  /** Store (one transaction) and observers for the pending messages; their DTOs wait for the next flush. */
  private process(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const ids = this.store(batch);
    const firstForUi = batch.length - this.uiLimit;
    for (let i = 0; i < batch.length; i++) {
      const { row, decoded, reply } = batch[i]!;
      const dto = toDTO(ids[i] ?? this.nextLocalId--, row, decoded);
      if (reply) dto.reply = reply;
      // try/catch inline, not a closure per observer per message: this loop runs for every message
      for (const observer of this.observers) {
        try {
          observer.observe(dto, row.payload, decoded.json);
        } catch (err) {
          this.observerFailed(err);
        }
      }
      // the newest messages are the ones a user watching the log wants to see
      if (i >= firstForUi) this.uiTail.push(dto);
    }
    this.processed += batch.length;
    if (this.uiTail.length > 2 * this.uiLimit) this.uiTail = this.uiTail.slice(-this.uiLimit);
  }

  close(): void {
    this.flush();
  }

  /** A failing store degrades ingest (live view keeps working with negative ids) instead of crashing. */
  private store(batch: Pending[]): number[] {
    try {
      const ids = this.options.sink.insertBatch(batch.map((p) => p.row));
      if (this.storeError) {
        this.options.log.info('message store writable again');
        this.storeError = null;
      }
      return ids;
    } catch (err) {
      const message = `messages are not being stored: ${(err as Error).message}`;
      if (message !== this.storeError) this.options.log.error(message);
      this.storeError = message;
      return [];
    }
  }

  /**
   * A failing observer (e.g. a device's "last seen" write on a full disk) must not stop the batch from
   * reaching the UI, nor throw out of the flush timer and take the process down.
   */
  private guard(step: () => void): void {
    try {
      step();
    } catch (err) {
      this.observerFailed(err);
    }
  }

  private observerFailed(err: unknown): void {
    const message = `a message observer failed: ${(err as Error).message}`;
    if (message !== this.observerError) this.options.log.error(message);
    this.observerError = message;
  }

  private rate(now: number, count: number): number {
    this.rateWindow.push({ at: now, count });
    while (this.rateWindow.length && this.rateWindow[0]!.at < now - 2000) this.rateWindow.shift();
    const total = this.rateWindow.reduce((sum, w) => sum + w.count, 0);
    return Math.round(total / 2);
  }
}

function toDTO(id: number, row: NewMessage, decoded: Decoded): MessageDTO {
  const dto: MessageDTO = {
    id,
    profileId: row.profileId,
    topic: row.topic,
    receivedAt: row.receivedAt,
    qos: row.qos,
    retain: row.retain,
    size: decoded.size,
    kind: decoded.shownKind ?? decoded.kind,
    preview: decoded.preview,
    clipped: decoded.clipped,
  };
  if (decoded.envelope) dto.envelope = decoded.envelope;
  if (decoded.codec) dto.codec = decoded.codec;
  if (decoded.codecError) dto.codecError = decoded.codecError;
  if (row.own) dto.own = true;
  if (row.props) dto.props = row.props;
  return dto;
}
