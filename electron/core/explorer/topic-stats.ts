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
/**
 * A delta of this many topics or more waits BIG_DELTA_INTERVAL_MS after the last one: a flood over thousands of
 * topics changed them all every 200 ms, and sending their figures 5 times a second was a quarter of the core's
 * work a message under a 10,000 msg/s flood (test/bench/README.md) for a tree that shows a screenful of them.
 */
export const BIG_DELTA_TOPICS = 1000;
export const BIG_DELTA_INTERVAL_MS = 1000;

interface Entry extends TopicStat {
  /** live (not retained) arrivals, for the one definition of a rate (common/rate.ts) */
  window: RateWindow;
  /** the second of the newest message, for the recency order */
  second: number;
  /** in `changed` (to go out with the next delta) / in `sliding`: flags, not Set lookups on every message */
  changed: boolean;
  sliding: boolean;
  /** false once forgotten or evicted: lists may still hold it until their next pass */
  live: boolean;
  /**
   * The newest message's value, not yet formatted into lastValue: formatting (JSON, clipping) waits for the
   * next delta or list, once per topic, not once per message. Binary: its size.
   */
  rawValue: unknown;
  rawBinarySize: number | null;
}

/**
 * Per-topic stats for the explorer: count, rate, last value and age. Fed once per message by the ingest
 * path; changed topics go to the UI as one `explorer.delta` per flush. A rate falls as its window slides,
 * also when nothing arrives: once a second the topics whose rate changed go out too, until it is 0.
 */
export class TopicStats implements IngestObserver {
  /**
   * profile id → topic → entry. Two levels, not one key of both: joining them into a string cost an allocation a
   * message. Each profile's Map is in recency order (to the second), so the least recently seen topic of all is the
   * oldest of the profiles' first entries.
   */
  private readonly topics = new Map<string, Map<string, Entry>>();
  private size = 0;
  /** topics observed (or whose rate moved) since the last delta */
  private changed: Entry[] = [];
  /** topics whose rate window still holds messages: their rate changes as it slides */
  private sliding: Entry[] = [];
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
    let ofProfile = this.topics.get(message.profileId);
    if (!ofProfile) this.topics.set(message.profileId, (ofProfile = new Map()));
    let entry = ofProfile.get(message.topic);
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
        changed: false,
        sliding: false,
        live: true,
        rawValue: undefined,
        rawBinarySize: null,
      };
      ofProfile.set(message.topic, entry);
      if (++this.size > this.maxTopics) this.evictOldest();
    } else if (second !== entry.second) {
      // keep Map order ≈ recency (to the second), so eviction drops the least recently seen. Once a second
      // per topic, not per message: a delete + set on every message was a visible cost under a flood.
      ofProfile.delete(message.topic);
      ofProfile.set(message.topic, entry);
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
      if (!entry.sliding) {
        entry.sliding = true;
        this.sliding.push(entry);
      }
    }
    const value = message.envelope ? message.envelope.data : message.kind === 'binary' ? undefined : message.preview;
    entry.rawValue = value;
    entry.rawBinarySize = value === undefined ? message.size : null;
    if (typeof value === 'number' && Number.isFinite(value)) entry.lastNumber = value;
    else entry.lastNumber = undefined;
    this.markChanged(entry);
  }

  private markChanged(entry: Entry): void {
    if (entry.changed) return;
    entry.changed = true;
    this.changed.push(entry);
  }

  flushed(now: number): void {
    // counted here, where the batch that carries them goes out: "received" and the batches never disagree
    this.received += this.observed;
    this.observed = 0;
    if (Math.floor(now / 1000) !== Math.floor(this.lastSlide / 1000)) this.slide(now);
    this.emitSoon(now);
    this.armSlide();
  }

  /**
   * The changed topics now, or when DELTA_INTERVAL_MS has passed since the last delta (BIG_DELTA_INTERVAL_MS for
   * a big one), one timer at most.
   */
  private emitSoon(now: number): void {
    const since = now - this.lastDelta;
    const interval = this.changed.length >= BIG_DELTA_TOPICS ? BIG_DELTA_INTERVAL_MS : DELTA_INTERVAL_MS;
    // since < 0: the wall clock stepped back (NTP, a resume): waiting for it to catch up would freeze the tree
    if (since >= interval || since < 0) {
      this.emitChanged(now);
      return;
    }
    if (this.deltaTimer || this.changed.length === 0) return;
    this.deltaTimer = setTimeout(() => {
      this.deltaTimer = null;
      // the set may have grown past BIG_DELTA_TOPICS meanwhile: then it waits longer
      this.emitSoon(this.now());
    }, interval - since);
    this.deltaTimer.unref?.();
  }

  list(profileId: string | undefined, now: number): TopicStat[] {
    const out: TopicStat[] = [];
    for (const [id, ofProfile] of this.topics) {
      if (profileId && id !== profileId) continue;
      for (const entry of ofProfile.values()) out.push(this.view(entry, now));
    }
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  forget(profileId: string): void {
    const ofProfile = this.topics.get(profileId);
    if (!ofProfile) return;
    for (const entry of ofProfile.values()) entry.live = false;
    this.size -= ofProfile.size;
    this.topics.delete(profileId);
  }

  close(): void {
    if (this.slideTimer) clearTimeout(this.slideTimer);
    this.slideTimer = null;
    if (this.deltaTimer) clearTimeout(this.deltaTimer);
    this.deltaTimer = null;
  }

  private emitChanged(now: number): void {
    if (this.changed.length === 0) return;
    const delta: TopicStat[] = [];
    for (const entry of this.changed) {
      entry.changed = false;
      if (entry.live) delta.push(this.view(entry, now));
    }
    this.changed = [];
    this.lastDelta = now;
    this.bus.emit('explorer.delta', delta);
  }

  /** A new second: every topic whose rate moved is sent again; one whose window emptied stops sliding. */
  private slide(now: number): void {
    this.lastSlide = now;
    const still: Entry[] = [];
    for (const entry of this.sliding) {
      if (!entry.live) {
        entry.sliding = false;
        continue;
      }
      if (entry.window.rate(now) !== entry.rate) this.markChanged(entry);
      if (entry.window.empty(now)) entry.sliding = false;
      else still.push(entry);
    }
    this.sliding = still;
  }

  /** While rates are sliding, a tick once a second sends them even when no message arrives. */
  private armSlide(): void {
    if (this.slideTimer || this.sliding.length === 0) return;
    this.slideTimer = setTimeout(
      () => {
        this.slideTimer = null;
        const now = this.now();
        this.slide(now);
        this.emitSoon(now);
        this.armSlide();
      },
      1000 - (this.now() % 1000) + 5,
    );
    this.slideTimer.unref?.();
  }

  private view(entry: Entry, now: number): TopicStat {
    entry.rate = entry.window.rate(now);
    if (entry.rawValue !== undefined || entry.rawBinarySize !== null) {
      const value = entry.rawValue;
      entry.lastValue = clip(
        value === undefined
          ? `binary, ${entry.rawBinarySize} B`
          : typeof value === 'string'
            ? value
            : (JSON.stringify(value) ?? 'null'),
      );
      entry.rawValue = undefined; // formatted: the (possibly long) preview is not kept
      entry.rawBinarySize = null;
    }
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
    let oldest: Entry | null = null;
    for (const ofProfile of this.topics.values()) {
      const first = ofProfile.values().next();
      if (!first.done && (!oldest || first.value.second < oldest.second)) oldest = first.value;
    }
    if (!oldest) return;
    const from = this.topics.get(oldest.profileId)!;
    from.delete(oldest.topic);
    oldest.live = false;
    this.size--;
    if (from.size === 0) this.topics.delete(oldest.profileId);
  }
}

function clip(text: string): string {
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}
