/**
 * The message log's state: a bounded window of messages (newest first), fed live by core batches and
 * paged from the store. Live batches are coalesced to one update per animation frame; the window never
 * exceeds LOG_WINDOW, so memory stays flat under a flood.
 */
import type { MessageBatch, MessageDTO, MessageQuery } from '../../../electron/api';
import { api } from './api';
import { catchUp } from './catch-up';
import { errorText } from './format';
import { perFrameAtMost } from './frame';
import { topicFilterError, topicMatcher } from './topics';

export const LOG_WINDOW = 2000;
const PAGE = 200;
/**
 * Live rows are shown at most 10 times a second: under a flood every update replaces every visible row,
 * and painting that each frame kept typing and clicks waiting (test/bench, issue 19).
 */
const LIVE_MIN_MS = 100;
/**
 * When an update brought more rows than a screen holds, none of the rows shown stays long enough to be read:
 * the log then repaints 4 times a second, which halves the renderer's work under a flood (test/bench, issue 19).
 */
const FLOOD_MIN_MS = 250;
const SCREENFUL = 60;

type PrependListener = (count: number) => void;

class LogState {
  /** newest first; replaced, never mutated, so the view can diff cheaply */
  messages = $state.raw<MessageDTO[]>([]);
  paused = $state(false);
  /** messages that arrived while paused */
  buffered = $state(0);
  /** messages received since start (all profiles, before filtering) */
  total = $state(0);
  /** keep the newest message in view */
  follow = $state(true);
  /** the window was paged away from the newest messages; live ones are counted, not shown */
  detached = $state(false);
  newer = $state(0);
  /** the oldest stored match is in the window */
  atEnd = $state(false);
  loadingOlder = $state(false);
  error = $state<string | null>(null);
  /** messages this page missed because it fell behind (the host held batches back): shown, then re-synced */
  gap = $state<{ missed: number; at: number } | null>(null);
  // filter
  topicFilter = $state('');
  text = $state('');
  profileId = $state('');
  /** only messages that came with the retain flag */
  retainedOnly = $state(false);
  /** MQTT 5 user property: "key" or "key=value" */
  userProperty = $state('');
  filterError = $state<string | null>(null);
  // selection
  selected = $state.raw<MessageDTO | null>(null);

  private pending: MessageDTO[] = [];
  private pausedBuffer: MessageDTO[] = [];
  private arrived = 0;
  private matcher: ((topic: string) => boolean) | null = null;
  private generation = 0;
  private prependListeners = new Set<PrependListener>();
  /** rows the last update added to the view */
  private lastAdded = 0;
  private readonly schedule = perFrameAtMost(
    () => (this.lastAdded >= SCREENFUL ? FLOOD_MIN_MS : LIVE_MIN_MS),
    () => this.flush(),
  );
  /**
   * Under a flood the core sends the newest messages of each batch and counts the rest as skipped (they are in
   * the store): a filtered log would show a third of its topic's messages at 10,000 msg/s. Once a second at most,
   * the newest page is read back from the store while the user follows the newest messages (resync).
   */
  private readonly skippedCatchUp = catchUp(() => this.resync());
  /** a batch left messages out since the window was last read from the store */
  private holes = false;

  onPrepend(listener: PrependListener): () => void {
    this.prependListeners.add(listener);
    return () => this.prependListeners.delete(listener);
  }

  /** Called per core batch (~every 75 ms): cheap, no reactive writes until the frame. */
  ingest(batch: MessageBatch): void {
    if (batch.dropped) this.missed(batch.dropped);
    if (batch.skipped > 0) {
      this.holes = true;
      this.skippedCatchUp.gap();
    }
    this.arrived += batch.messages.length + batch.skipped;
    for (const m of batch.messages) if (this.matches(m)) this.pending.push(m);
    if (this.pending.length > LOG_WINDOW) this.pending.splice(0, this.pending.length - LOG_WINDOW);
    this.schedule();
  }

  /**
   * The page fell behind and the host held batches back: they are in the store. Say so, and re-sync the
   * window from there unless the user is reading older messages or has paused (then the gap only counts).
   */
  private missed(count: number): void {
    this.arrived += count;
    this.gap = { missed: (this.gap?.missed ?? 0) + count, at: Date.now() };
    if (this.detached) this.newer += count;
    else if (!this.paused) void this.reload();
  }

  dismissGap(): void {
    this.gap = null;
  }

  private matches(m: MessageDTO): boolean {
    if (this.profileId && m.profileId !== this.profileId) return false;
    if (this.matcher && !this.matcher(m.topic)) return false;
    if (this.text) {
      // the core matches the whole payload; live, we see the preview: clipped misses are rare and paging finds them
      if (m.kind === 'binary' || !m.preview.toLowerCase().includes(this.text.toLowerCase())) return false;
    }
    if (this.retainedOnly && !m.retain) return false;
    if (this.userProperty && !hasUserProperty(m, this.userProperty)) return false;
    return true;
  }

  private flush(): void {
    this.total += this.arrived;
    this.arrived = 0;
    this.lastAdded = 0;
    if (this.pending.length === 0) return;
    const topId = this.messages[0]?.id ?? 0;
    const fresh = this.pending.filter((m) => m.id > topId || m.id < 0);
    this.pending = [];
    if (fresh.length === 0) return;
    if (this.paused) {
      this.pausedBuffer = this.pausedBuffer.concat(fresh).slice(-LOG_WINDOW);
      this.buffered += fresh.length;
      return;
    }
    if (this.detached) {
      this.newer += fresh.length;
      return;
    }
    this.prepend(fresh);
  }

  private prepend(incoming: MessageDTO[]): void {
    const next = incoming.slice().reverse().concat(this.messages);
    if (next.length > LOG_WINDOW) {
      next.length = LOG_WINDOW;
      this.atEnd = false;
    }
    this.messages = next;
    const added = Math.min(incoming.length, LOG_WINDOW);
    this.lastAdded = added;
    for (const l of this.prependListeners) l(added);
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused && this.pausedBuffer.length) {
      const buffer = this.pausedBuffer;
      this.pausedBuffer = [];
      this.buffered = 0;
      if (this.detached) this.newer += buffer.length;
      else this.prepend(buffer);
    }
    // what batches left out during the pause (the flood may be over) is read back now
    if (!paused && this.holes) this.skippedCatchUp.gap();
  }

  private query(extra: Partial<MessageQuery> = {}): MessageQuery {
    return {
      ...(this.profileId ? { profileId: this.profileId } : {}),
      ...(this.topicFilter.trim() ? { topicFilter: this.topicFilter.trim() } : {}),
      ...(this.text ? { text: this.text } : {}),
      ...(this.retainedOnly ? { retained: true } : {}),
      ...(this.userProperty.trim() ? { userProperty: this.userProperty.trim() } : {}),
      limit: PAGE,
      ...extra,
    };
  }

  /** The export covers what the filter shows. */
  exportQuery(): Omit<MessageQuery, 'beforeId' | 'limit'> {
    const { limit: _limit, ...rest } = this.query();
    return rest;
  }

  /** Applies the filter: asks the core (the store holds far more than the window), then matches live. */
  async setFilter(filter: { topicFilter?: string; text?: string; profileId?: string; retainedOnly?: boolean; userProperty?: string }): Promise<void> {
    if (filter.retainedOnly !== undefined) this.retainedOnly = filter.retainedOnly;
    if (filter.userProperty !== undefined) this.userProperty = filter.userProperty;
    if (filter.topicFilter !== undefined) this.topicFilter = filter.topicFilter;
    if (filter.text !== undefined) this.text = filter.text;
    if (filter.profileId !== undefined) this.profileId = filter.profileId;
    const topic = this.topicFilter.trim();
    this.filterError = topic ? topicFilterError(topic) : null;
    if (this.filterError) return;
    // `#` still needs its matcher: per MQTT it does not match $SYS-style topics
    this.matcher = topic ? topicMatcher(topic) : null;
    await this.reload();
  }

  /** Back to the newest messages matching the filter. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    try {
      const page = await api.call('messages.query', this.query());
      if (generation !== this.generation) return;
      this.generation++; // an older page asked for while this read was out belongs to the window it replaces
      this.showNewest(page);
      this.detached = false;
      this.newer = 0;
      this.pausedBuffer = [];
      this.buffered = 0;
      this.error = null;
    } catch (e) {
      if (generation === this.generation) this.error = errorText(e);
    }
  }

  /**
   * The catch-up's read: the newest page again, only while the user follows the newest messages (not paused, not
   * scrolled down or paging older ones, a valid filter) — checked again when the answer comes, so a pause or a
   * scroll meanwhile keeps its window. Its errors stay quiet: the next gap tries again.
   */
  private async resync(): Promise<void> {
    const following = (): boolean => !this.paused && !this.detached && this.follow && !this.loadingOlder && !this.filterError;
    if (!following()) return;
    const generation = this.generation;
    const page = await api.call('messages.query', this.query());
    if (generation !== this.generation || !following()) return;
    this.generation++; // an older page asked for before this answer belongs to the window it replaces
    this.showNewest(page);
  }

  /**
   * The store's newest page as the window, under the rows shown live that it does not hold yet: newer than its
   * newest, or not stored at all (negative ids, a store failing) — those the filter, maybe just changed, matches.
   */
  private showNewest(page: MessageDTO[]): void {
    const top = page[0]?.id ?? 0;
    const live = this.messages.filter((m) => (m.id > top || m.id < 0) && this.matches(m));
    const next = live.length ? live.concat(page) : page;
    this.atEnd = page.length < PAGE && next.length <= LOG_WINDOW;
    if (next.length > LOG_WINDOW) next.length = LOG_WINDOW;
    this.messages = next;
    this.holes = false;
  }

  /** Keyset paging: the next older page; the window stays bounded by dropping the newest side. */
  async loadOlder(): Promise<number> {
    if (this.loadingOlder || this.atEnd || this.filterError) return 0;
    const oldest = lastStored(this.messages);
    if (!oldest) return 0;
    this.loadingOlder = true;
    const generation = this.generation;
    try {
      const page = await api.call('messages.query', this.query({ beforeId: oldest.id }));
      if (generation !== this.generation) return 0;
      if (page.length < PAGE) this.atEnd = true;
      let next = this.messages.concat(page);
      let dropped = 0;
      if (next.length > LOG_WINDOW) {
        dropped = next.length - LOG_WINDOW;
        next = next.slice(dropped);
        this.detached = true;
      }
      this.messages = next;
      return dropped;
    } catch (e) {
      this.error = errorText(e);
      return 0;
    } finally {
      this.loadingOlder = false;
    }
  }

  select(m: MessageDTO | null): void {
    this.selected = m;
  }
}

/** The oldest message the store knows (negative ids were never stored). */
function lastStored(messages: MessageDTO[]): MessageDTO | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.id > 0) return messages[i];
  return undefined;
}

export const log = new LogState();

export function setPaused(paused: boolean): void {
  log.setPaused(paused);
}

/** The live match of the core's userProperty filter: "key" (any value) or "key=value". */
function hasUserProperty(m: MessageDTO, filter: string): boolean {
  const eq = filter.indexOf('=');
  const key = eq < 0 ? filter.trim() : filter.slice(0, eq);
  const value = eq < 0 ? null : filter.slice(eq + 1);
  return (m.props?.userProperties ?? []).some(([k, v]) => k === key && (value === null || v === value));
}
