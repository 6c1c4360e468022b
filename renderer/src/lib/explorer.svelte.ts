/**
 * The topic explorer's state: one TopicTree per profile (plain objects), fed by explorer.topics and
 * explorer.delta, and the reactive bits the view needs: the flattened rows of the shown profile
 * (rebuilt at most once per frame, only when the structure changed) and a tick that makes the visible
 * rows re-read their numbers.
 */
import type { ChannelInfo, MessageBatch, TopicStat } from '../../../electron/api';
import { RATE_TITLE, RateWindow } from '../../../electron/common/rate';
import { api } from './api';
import { errorText, rate } from './format';
import { perFrameAtMost } from './frame';
import { numberOf, shownValue } from './payload';
import { TopicTree, type TreeNode } from './tree';

export interface TopicRef {
  profileId: string;
  topic: string;
}

/** Where a rate is shown, its definition is the tooltip: one definition everywhere (common/rate.ts). */
export { RATE_TITLE };

/** A rate as the tree, the topic detail and the level table show it: '' below 0.05/s. */
export function rateText(perSecond: number): string {
  return perSecond >= 0.05 ? rate(perSecond) : '';
}

/** Wide trees rebuild their rows at most this often while topics keep appearing. */
const WIDE_TREE = 2000;
const WIDE_REBUILD_MS = 300;
/**
 * Counts and rates in the tree repaint at most 5 times a second: deltas come every ~75 ms under load, and
 * repainting the visible rows each time kept clicks and typing waiting (test/bench, issue 19). Expanding
 * and collapsing still show at once (toggle flushes directly).
 */
const STATS_MIN_MS = 200;

class ExplorerState {
  /** bumped once per frame when stats changed: visible rows re-read their node */
  tick = $state(0);
  /** bumped when topics were added (pickers, lists) */
  version = $state(0);
  rows = $state.raw<TreeNode[]>([]);
  profileId = $state<string | null>(null);
  selected = $state.raw<TopicRef | null>(null);
  /** the keyboard cursor in the tree (a topic path) */
  cursor = $state<string | null>(null);
  declared = $state<Record<string, ChannelInfo[]>>({});
  declaredError = $state<Record<string, string>>({});
  error = $state<string | null>(null);
  loaded = $state(false);

  private trees = new Map<string, TopicTree>();
  /** explorer.delta arrives from the core; until it does (older cores), stats are counted here */
  private coreStats = false;
  private statsChanged = false;
  private lastRebuild = 0;
  /** the shown tree's node count at the last `version` bump: folding rebuilds rows but adds no topic */
  private versionSize = -1;
  /** the fallback's rate windows, per profile and topic (only while the core sends no explorer.delta) */
  private readonly windows = new Map<string, RateWindow>();
  private readonly schedule = perFrameAtMost(STATS_MIN_MS, () => this.flush());

  tree(profileId: string): TopicTree {
    let t = this.trees.get(profileId);
    if (!t) this.trees.set(profileId, (t = new TopicTree()));
    return t;
  }

  show(profileId: string | null): void {
    if (this.profileId === profileId) return;
    this.profileId = profileId;
    this.rows = profileId ? this.tree(profileId).flatten() : [];
  }

  applyDelta(stats: TopicStat[]): void {
    if (!this.coreStats) {
      // the core's numbers replace the local estimate from here on
      this.coreStats = true;
      void this.reload();
      return;
    }
    for (const stat of stats) this.tree(stat.profileId).apply(stat);
    this.statsChanged = true;
    this.schedule();
  }

  private flush(force = false): void {
    const shown = this.profileId ? this.trees.get(this.profileId) : undefined;
    if (shown?.structureChanged) {
      const now = performance.now();
      // a topic search walks the whole tree, however few rows it shows
      const wide = this.rows.length > WIDE_TREE || (shown.searching && shown.byPath.size > WIDE_TREE);
      if (force || !wide || now - this.lastRebuild > WIDE_REBUILD_MS) {
        this.rows = shown.flatten();
        this.lastRebuild = now;
        // pickers (the composer's topic list, up to 500) re-read on `version`: only when topics were added,
        // not on every expand/collapse (test/bench, issue 19)
        if (shown.byPath.size !== this.versionSize) {
          this.versionSize = shown.byPath.size;
          this.version++;
        }
      } else this.schedule();
    }
    if (this.statsChanged) {
      this.statsChanged = false;
      this.tick++;
    }
  }

  async reload(): Promise<void> {
    try {
      const stats = await api.call('explorer.topics', {});
      this.coreStats = true;
      this.trees.clear();
      for (const stat of stats) this.tree(stat.profileId).apply(stat);
      // declared channels survive a reload
      for (const [profileId, channels] of Object.entries(this.declared)) this.addDeclared(profileId, channels);
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    }
    this.loaded = true;
    if (this.profileId) this.rows = this.tree(this.profileId).flatten();
    this.version++;
    this.tick++;
  }

  /** Fallback while the core sends no explorer.delta: count, last value and the windowed rate per topic. */
  observe(batch: MessageBatch): void {
    if (this.coreStats || batch.messages.length === 0) return;
    for (const m of batch.messages) {
      const tree = this.tree(m.profileId);
      const old = tree.byPath.get(m.topic)?.stat;
      const key = `${m.profileId}\u0000${m.topic}`;
      let window = this.windows.get(key);
      if (!window) this.windows.set(key, (window = new RateWindow()));
      if (!m.retain) window.add(m.receivedAt);
      const lastNumber = numberOf(m);
      tree.apply({
        profileId: m.profileId,
        topic: m.topic,
        count: (old?.count ?? 0) + 1,
        rate: window.rate(m.receivedAt),
        lastAt: m.receivedAt,
        lastValue: shownValue(m).slice(0, 120),
        ...(lastNumber !== null ? { lastNumber } : {}),
      });
    }
    this.statsChanged = true;
    this.schedule();
  }

  /** Beebotte: the account's channels and resources, shown before any message arrives. */
  async loadDeclared(profileId: string): Promise<void> {
    try {
      const channels = await api.call('beebotte.channels', { profileId });
      this.declared[profileId] = channels;
      delete this.declaredError[profileId];
      this.addDeclared(profileId, channels);
      this.flush(true);
      // declared vtypes may land on nodes that already exist: pickers and hints re-read
      this.version++;
      this.tick++;
    } catch (e) {
      this.declaredError[profileId] = errorText(e);
    }
  }

  private addDeclared(profileId: string, channels: ChannelInfo[]): void {
    const tree = this.tree(profileId);
    for (const channel of channels) {
      tree.ensure(channel.name).declared = { label: channel.label, description: channel.description };
      for (const r of channel.resources) {
        tree.ensure(`${channel.name}/${r.name}`).declared = { vtype: r.vtype, label: r.label, description: r.description };
      }
    }
  }

  /** Messages per second over every topic of every profile: the status bar's figure, by the same definition. */
  totalRate(): number {
    let sum = 0;
    for (const tree of this.trees.values()) sum += tree.root.rate;
    return Math.max(0, sum);
  }

  node(ref: TopicRef): TreeNode | undefined {
    return this.trees.get(ref.profileId)?.byPath.get(ref.topic);
  }

  toggle(n: TreeNode, open = !n.expanded): void {
    if (!n.children.size || n.expanded === open) return;
    n.expanded = open;
    const tree = this.profileId ? this.trees.get(this.profileId) : undefined;
    if (tree) {
      tree.structureChanged = true;
      this.flush(true);
    }
  }

  select(n: TreeNode): void {
    if (!this.profileId) return;
    this.cursor = n.path;
    this.selected = { profileId: this.profileId, topic: n.path };
  }

  /** Arrow keys: up/down move the cursor, left/right close/open or go to parent/child. */
  key(key: string): boolean {
    const rows = this.rows;
    if (!rows.length) return false;
    let i = rows.findIndex((r) => r.path === this.cursor);
    const current = rows[i];
    if (key === 'ArrowDown') i = Math.min(rows.length - 1, i + 1);
    else if (key === 'ArrowUp') i = Math.max(0, i - 1);
    else if (key === 'Home') i = 0;
    else if (key === 'End') i = rows.length - 1;
    else if (key === 'ArrowRight' && current) {
      if (current.children.size && !current.expanded) this.toggle(current, true);
      else if (current.expanded) i += 1;
    } else if (key === 'ArrowLeft' && current) {
      if (current.expanded && current.children.size) this.toggle(current, false);
      else if (current.parent && current.parent.depth >= 0) i = this.rows.indexOf(current.parent);
    } else if (key === 'Enter' && current) {
      this.select(current);
      return true;
    } else return false;
    const next = this.rows[Math.max(0, i)];
    if (next) this.cursor = next.path;
    return true;
  }

  /** Channel or topic-level names for pickers (reads `version` so pickers follow new topics). */
  namesUnder(profileId: string, path: string): { name: string; vtype?: string }[] {
    void this.version;
    return this.tree(profileId)
      .childNames(path)
      .map((n) => ({ name: n.name, vtype: n.declared?.vtype }));
  }

  /** Every known topic of a profile, for a free-topic picker; bounded. */
  topicsOf(profileId: string, limit = 500): string[] {
    void this.version;
    const out: string[] = [];
    for (const [path, n] of this.tree(profileId).byPath) {
      if (n.stat || n.declared?.vtype) out.push(path);
      if (out.length >= limit) break;
    }
    return out;
  }
}

export const explorer = new ExplorerState();
