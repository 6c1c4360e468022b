import type { MessageDTO, TopicStat } from '../../api.js';
import type { EventBus } from '../events.js';
import type { IngestObserver } from '../ingest/ingest.js';

/** Bounded: beyond this many topics, the least recently seen are forgotten (they stay in the store). */
export const MAX_TOPICS = 50_000;
const VALUE_CHARS = 120;

interface Entry extends TopicStat {
  /** arrivals in the current and previous 1 s buckets, for a cheap moving rate */
  bucketAt: number;
  bucket: number;
  previous: number;
}

/**
 * Per-topic stats for the explorer: count, rate, last value and age. Fed once per message by the ingest
 * path; changed topics go to the UI as one `explorer.delta` per flush.
 */
export class TopicStats implements IngestObserver {
  private readonly topics = new Map<string, Entry>();
  private changed = new Set<string>();

  constructor(
    private readonly bus: EventBus,
    private readonly maxTopics = MAX_TOPICS,
  ) {}

  observe(message: MessageDTO): void {
    const key = `${message.profileId}\u0000${message.topic}`;
    let entry = this.topics.get(key);
    const second = Math.floor(message.receivedAt / 1000);
    if (!entry) {
      entry = { profileId: message.profileId, topic: message.topic, count: 0, rate: 0, lastAt: 0, lastValue: '', bucketAt: second, bucket: 0, previous: 0 };
      this.topics.set(key, entry);
      if (this.topics.size > this.maxTopics) this.evictOldest();
    } else if (second !== entry.bucketAt) {
      // keep Map order ≈ recency (to the second), so eviction drops the least recently seen. Once a second
      // per topic, not per message: a delete + set on every message was a visible cost under a flood.
      this.topics.delete(key);
      this.topics.set(key, entry);
    }
    entry.count += 1;
    entry.lastAt = message.receivedAt;
    if (second !== entry.bucketAt) {
      entry.previous = second === entry.bucketAt + 1 ? entry.bucket : 0;
      entry.bucket = 0;
      entry.bucketAt = second;
    }
    entry.bucket += 1;
    const value = message.envelope ? message.envelope.data : message.kind === 'binary' ? undefined : message.preview;
    if (typeof value === 'number' && Number.isFinite(value)) entry.lastNumber = value;
    else delete entry.lastNumber;
    entry.lastValue = clip(value === undefined ? `binary, ${message.size} B` : typeof value === 'string' ? value : JSON.stringify(value) ?? 'null');
    this.changed.add(key);
  }

  flushed(now: number): void {
    if (this.changed.size === 0) return;
    const delta: TopicStat[] = [];
    for (const key of this.changed) {
      const entry = this.topics.get(key);
      if (entry) delta.push(this.view(entry, now));
    }
    this.changed = new Set();
    this.bus.emit('explorer.delta', delta);
  }

  list(profileId: string | undefined, now: number): TopicStat[] {
    const out: TopicStat[] = [];
    for (const entry of this.topics.values()) if (!profileId || entry.profileId === profileId) out.push(this.view(entry, now));
    return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  }

  forget(profileId: string): void {
    for (const [key, entry] of this.topics) if (entry.profileId === profileId) this.topics.delete(key);
  }

  private view(entry: Entry, now: number): TopicStat {
    const second = Math.floor(now / 1000);
    const age = second - entry.bucketAt;
    // rate over the last whole second (plus the running one, pro rata)
    const rate = age === 0 ? entry.previous : age === 1 ? entry.bucket : 0;
    const stat: TopicStat = {
      profileId: entry.profileId,
      topic: entry.topic,
      count: entry.count,
      rate,
      lastAt: entry.lastAt,
      lastValue: entry.lastValue,
    };
    if (entry.lastNumber !== undefined) stat.lastNumber = entry.lastNumber;
    return stat;
  }

  private evictOldest(): void {
    const oldest = this.topics.keys().next();
    if (!oldest.done) this.topics.delete(oldest.value);
  }
}

function clip(text: string): string {
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS - 1)}…` : text;
}
