import type { MessageDTO, TopicStat } from '../../api.js';
import { RateWindow } from '../../common/rate.js';
import type { EventBus } from '../events.js';
import type { IngestObserver } from '../ingest/ingest.js';

/** Bounded: beyond this many topics, the least recently seen are forgotten (they stay in the store). */
export const MAX_TOPICS = 50_000;
const VALUE_CHARS = 120;
/**
 * Deltas go out at most this often. The desk repaints tree counts 5 times a second, and under a flood every
 * ingest flush (~13 a second) changed hundreds of topics: a delta each time cost ~1.4 µs a message to build
 * and as much again to send, for figures nobody could see change.
 */
export const DELTA_INTERVAL_MS = 200;

interface Entry extends TopicStat {
  /** live (not retained) arrivals, for the one definition of a rate (common/rate.ts) */
  window: RateWindow;
  /** the second of the newest message, for the recency order */
  second: number;
}

/**
 * Per-topic stats for the explorer: count, rate, last value and age. Fed once per message by the ingest
 * path; changed topics go to the UI as one `explorer.delta` per flush. A rate falls as its window slides,
 * also when nothing arrives: once a second the topics whose rate changed go out too, until it is 0.
 */
export class TopicStats implements IngestObserver {
  private readonly topics = new Map<string, Entry>();
  private changed = new Set<string>();
  /** topics whose rate window still holds messages: their rate changes as it slides */
  private readonly sliding = new Set<string>();
  private slideTimer: NodeJS.Timeout | null = null;
  private lastSlide = 0;
  private deltaTimer: NodeJS.Timeout | null = null;
  private lastDelta = -Infinity;
  /** messages observed since start, all profiles; counted into `received` at each flush (with its batch) */
  private observed = 0;
  /** messages received since the core started (all profiles): the status bar's "received" */
  received = 0;

  constructor(
    private readonly bus: EventBus,
    private readonly maxTopics = MAX_TOPICS,
    private readonly now: () => number = Date.now,
  ) {}

  observe(message: MessageDTO): void {
    this.observed += 1;
    const key = `${message.profileId}\u0000${message.topic}`;
    let entry = this.topics.get(key);
    const second = Math.floor(message.receivedAt / 1000);
    if (!entry) {
      entry = {
        profileId: message.profileId,
        topic: message.topic,
        count: 0,
        rate: 0,
        lastAt: 0,
        lastValue: '',
        window: new RateWindow(),
        second,
      };
      this.topics.set(key, entry);
      if (this.topics.size > this.maxTopics) this.evictOldest();
    } else if (second !== entry.second) {
      // keep Map order ≈ recency (to the second), so eviction drops the least recently seen. Once a second
      // per topic, not per message: a delete + set on every message was a visible cost under a flood.
      this.topics.delete(key);
      this.topics.set(key, entry);
      entry.second = second;
    }
    entry.count += 1;
    entry.lastAt = message.receivedAt;
    // the broker holds a retained message for the topic: one came with the flag; an empty payload clears it
    if (message.retain) entry.retained = message.size > 0;
    else if (message.size === 0) entry.retained = false;
    // a retained message replayed on subscribe is not traffic: it counts as a message, not in the rate
    if (!message.retain) {
      entry.window.add(message.receivedAt);
      this.sliding.add(key);
    }
    const value = message.envelope ? message.envelope.data : message.kind === 'binary' ? undefined : message.preview;
    if (typeof value === 'number' && Number.isFinite(value)) entry.lastNumber = value;
    else delete entry.lastNumber;
    entry.lastValue = clip(
      value === undefined ? `binary, ${message.size} B` : typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null'),
    );
    this.changed.add(key);
  }

  flushed(now: number): void {
    // counted here, where the batch that carries them goes out: "received" and the batches never disagree
    this.received += this.observed;
    this.observed = 0;
    if (Math.floor(now / 1000) !== Math.floor(this.lastSlide / 1000)) this.slide(now);
    this.emitSoon(now);
    this.armSlide();
  }

  /** The changed topics now, or when DELTA_INTERVAL_MS has passed since the last delta (one timer at most). */
  private emitSoon(now: number): void {
    const since = now - this.lastDelta;
    if (since >= DELTA_INTERVAL_MS) {
      this.emitChanged(now);
      return;
    }
    if (this.deltaTimer || this.changed.size === 0) return;
    this.deltaTimer = setTimeout(() => {
      this.deltaTimer = null;
      this.emitChanged(this.now());
    }, DELTA_INTERVAL_MS - since);
    this.deltaTimer.unref?.();
  }

  list(profileId: string | undefined, now: number): TopicStat[] {
    const out: TopicStat[] = [];
    for (const entry of this.topics.values()) if (!profileId || entry.profileId === profileId) out.push(this.view(entry, now));
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  forget(profileId: string): void {
    for (const [key, entry] of this.topics) {
      if (entry.profileId !== profileId) continue;
      this.topics.delete(key);
      this.sliding.delete(key);
    }
  }

  close(): void {
    if (this.slideTimer) clearTimeout(this.slideTimer);
    this.slideTimer = null;
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.deltaTimer = null;
  }

  private emitChanged(now: number): void {
    if (this.changed.size === 0) return;
    const delta: TopicStat[] = [];
    for (const key of this.changed) {
      const entry = this.topics.get(key);
      if (entry) delta.push(this.view(entry, now));
    }
    this.changed = new Set();
    this.lastDelta = now;
    this.bus.emit('explorer.delta', delta);
  }

  /** A new second: every topic whose rate moved is sent again; one whose window emptied stops sliding. */
  private slide(now: number): void {
    this.lastSlide = now;
    for (const key of this.sliding) {
      const entry = this.topics.get(key);
      if (!entry) {
        this.sliding.delete(key);
        continue;
      }
      if (entry.window.rate(now) !== entry.rate) this.changed.add(key);
      if (entry.window.empty(now)) this.sliding.delete(key);
    }
  }

  /** While rates are sliding, a tick once a second sends them even when no message arrives. */
  private armSlide(): void {
    if (this.slideTimer || this.sliding.size === 0) return;
    this.slideTimer = setTimeout(
      () => {
        this.slideTimer = null;
        const now = this.now();
        this.slide(now);
        this.emitChanged(now);
        this.armSlide();
      },
      1000 - (this.now() % 1000) + 5,
    );
    this.slideTimer.unref?.();
  }

  private view(entry: Entry, now: number): TopicStat {
    entry.rate = entry.window.rate(now);
    const stat: TopicStat = {
      profileId: entry.profileId,
      topic: entry.topic,
      count: entry.count,
      rate: entry.rate,
      lastAt: entry.lastAt,
      lastValue: entry.lastValue,
    };
    if (entry.lastNumber !== undefined) stat.lastNumber = entry.lastNumber;
    if (entry.retained) stat.retained = true;
    return stat;
  }

  private evictOldest(): void {
    const oldest = this.topics.keys().next();
    if (!oldest.done) {
      this.topics.delete(oldest.value);
      this.sliding.delete(oldest.value);
    }
  }
}

function clip(text: string): string {
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}
