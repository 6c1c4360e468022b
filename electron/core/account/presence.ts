/**
 * Who is connected to each profile's account, for the desk and the connect/disconnect alert rules: one
 * PresenceWatcher per profile that someone needs — a desk view holding a lease (`watch`, renewed while the view is
 * open, so a window that goes away stops it by itself) or an enabled alert rule on that profile — and none
 * otherwise. Snapshots and events go out on the bus (`connections.changed`, `connections.event`) and to the
 * listeners the core adds (the alert engine).
 */
import { ApiError } from '../../api/wire.js';
import { WATCH_LEASE_SECONDS, type ConnectionsSnapshot, type PresenceEventDTO } from '../../api/presence.js';
import { dropConnection } from '../beebotte/connections-client.js';
import type { BeebotteRest } from '../beebotte/rest-client.js';
import { restInWords } from '../handlers/rest-errors.js';
import type { EventBus } from '../events.js';
import type { Clock, Logger } from '../platform.js';
import { PresenceWatcher, type SignalingEndpoint } from './presence-watcher.js';

/** What the service needs of a profile: its REST client and, where its credential allows, a signaling endpoint. */
export interface PresenceSource {
  rest: BeebotteRest;
  signaling: SignalingEndpoint | null;
  /** why there is no signaling endpoint (a channel token, say) */
  pollReason?: string;
  /** a digest of what the source logs in with: a profile saved with the same one keeps its live watcher */
  fingerprint?: string;
}

export interface PresenceDeps {
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** throws ApiError when the profile has no Beebotte REST API or no credential */
  sourceFor(profileId: string): Promise<PresenceSource>;
  pollMs?: number;
  leaseMs?: number;
}

interface Entry {
  watcher: PresenceWatcher;
  started: Promise<ConnectionsSnapshot>;
  /** view id → until when it holds the watcher (ms since epoch) */
  leases: Map<string, number>;
  fingerprint: string | undefined;
}

const RETRY_MS = 30_000;
/** views holding one profile's watcher at once (windows, tabs): a bound on what a page can make the core keep */
const MAX_LEASES = 64;

type PresenceListener = (event: PresenceEventDTO) => void;

export class PresenceService {
  private readonly entries = new Map<string, Entry>();
  private alertProfiles = new Set<string>();
  private readonly listeners = new Set<PresenceListener>();
  private readonly sweeper: NodeJS.Timeout;
  /** when an alert profile's watcher last failed to start: retried every RETRY_MS (the network may be back) */
  private readonly failedAt = new Map<string, number>();
  /** the last failure told per alert profile: a retry that fails the same way (a removed profile) is not logged again */
  private readonly toldFailure = new Map<string, string>();
  private closed = false;

  private restartTimer: NodeJS.Timeout | null = null;
  /** counts profile changes: a source read while one happened may hold a credential the profile no longer has */
  private generation = 0;

  constructor(private readonly deps: PresenceDeps) {
    this.sweeper = setInterval(() => void this.sweep(), 5000);
    this.sweeper.unref?.();
    // a profile saved with another credential (or removed): its watcher starts again with what it holds now
    deps.bus.subscribe((event) => {
      if (event === 'profiles.changed') this.generation++;
      if (event !== 'profiles.changed' || this.restartTimer || this.closed) return;
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        void this.restartAll();
      }, 200);
      this.restartTimer.unref?.();
    });
  }

  onEvent(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The list now: the live watcher's when there is one, else one REST read. */
  async list(profileId: string): Promise<ConnectionsSnapshot> {
    const entry = this.entries.get(profileId);
    if (entry) {
      await entry.started;
      return entry.watcher.refresh();
    }
    const source = await this.deps.sourceFor(profileId);
    const once = new PresenceWatcher({
      profileId,
      rest: source.rest,
      signaling: null,
      pollReason: 'not watching: one read',
      onSnapshot: () => undefined,
      onEvent: () => undefined,
    });
    try {
      return await restInWords(() => once.start());
    } finally {
      await once.stop();
    }
  }

  async drop(profileId: string, userid: string): Promise<{ dropped: boolean; remaining: ConnectionsSnapshot }> {
    const source = await this.deps.sourceFor(profileId);
    const before = await this.list(profileId);
    await restInWords(() => dropConnection(source.rest, userid));
    const remaining = await this.list(profileId);
    const had = before.connections.some((c) => c.userid === userid);
    const left = remaining.connections.some((c) => c.userid === userid);
    return { dropped: had && !left, remaining };
  }

  /** Starts (or renews) a lease on live updates; the first snapshot comes back (a rights error rejects). */
  async watch(profileId: string, viewId = 'default'): Promise<ConnectionsSnapshot> {
    const until = this.deps.clock.now() + (this.deps.leaseMs ?? WATCH_LEASE_SECONDS * 1000);
    const entry = await this.ensure(profileId);
    if (entry.leases.size < MAX_LEASES || entry.leases.has(viewId)) entry.leases.set(viewId, until);
    await entry.started;
    return entry.watcher.snapshot();
  }

  /** Ends this view's lease; true while the watcher stays (another view, or an alert rule, still needs it). */
  async unwatch(profileId: string, viewId = 'default'): Promise<boolean> {
    this.entries.get(profileId)?.leases.delete(viewId);
    await this.sweep();
    return this.entries.has(profileId);
  }

  /** The profiles enabled alert rules watch; the others stop once no desk holds a lease on them. */
  setAlertProfiles(profileIds: readonly string[]): void {
    this.alertProfiles = new Set(profileIds);
    this.failedAt.clear();
    // not now: the alert service calls this while the core is still being composed
    setImmediate(() => void this.sweep()).unref?.();
  }

  watching(profileId: string): boolean {
    return this.entries.has(profileId);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.watcher.stop()));
  }

  private async ensure(profileId: string, given?: PresenceSource): Promise<Entry> {
    if (this.closed) throw new ApiError('failed', 'Apiary is closing');
    const existing = this.entries.get(profileId);
    if (existing) return existing;
    let source = given;
    for (let tries = 1; !source; tries++) {
      const generation = this.generation;
      const read = await this.deps.sourceFor(profileId);
      // the profile was saved while it was read: read again what it holds now (a bounded number of times)
      if (generation === this.generation || tries >= 3) source = read;
    }
    const again = this.entries.get(profileId); // another call started it meanwhile
    if (again) return again;
    const watcher = new PresenceWatcher({
      profileId,
      rest: source.rest,
      signaling: source.signaling,
      ...(source.pollReason ? { pollReason: source.pollReason } : {}),
      ...(this.deps.pollMs ? { pollMs: this.deps.pollMs } : {}),
      now: () => this.deps.clock.now(),
      onSnapshot: (snapshot) => this.deps.bus.emit('connections.changed', snapshot),
      onEvent: (event) => {
        this.deps.bus.emit('connections.event', event);
        for (const listener of this.listeners) {
          try {
            listener(event);
          } catch (err) {
            this.deps.log.warn(`presence listener: ${(err as Error).message}`);
          }
        }
      },
      log: (line) => this.deps.log.info(line),
    });
    const entry: Entry = {
      watcher,
      started: restInWords(() => watcher.start()),
      leases: new Map(),
      fingerprint: source.fingerprint,
    };
    this.entries.set(profileId, entry);
    entry.started.catch(() => {
      // a profile whose list cannot be read is not kept: the next watch tries again and says why
      if (this.entries.get(profileId) === entry) this.entries.delete(profileId);
      void watcher.stop();
    });
    return entry;
  }

  /**
   * After a profile change: a watcher whose profile now logs in otherwise (or is gone) starts again with what
   * it holds; the others keep their live link — a restart leaves a gap in which a disconnect goes unseen, and
   * every subscription made in the explorer saves its profile.
   */
  private async restartAll(): Promise<void> {
    for (const [id, old] of [...this.entries]) {
      if (this.closed) return;
      let source: PresenceSource | null = null;
      let why = '';
      try {
        source = await this.deps.sourceFor(id);
      } catch (err) {
        why = (err as Error).message;
      }
      if (this.entries.get(id) !== old) continue; // stopped or replaced meanwhile
      if (source?.fingerprint !== undefined && source.fingerprint === old.fingerprint) continue;
      this.entries.delete(id);
      await old.watcher.stop();
      try {
        if (!source) throw new Error(why);
        const entry = await this.ensure(id, source);
        for (const [view, until] of old.leases) entry.leases.set(view, until);
        this.deps.bus.emit('connections.changed', await entry.started);
      } catch (err) {
        this.deps.log.warn(`presence ${id}: not watched after the profile changed: ${(err as Error).message}`);
      }
    }
  }

  private async sweep(): Promise<void> {
    const now = this.deps.clock.now();
    for (const id of this.alertProfiles) {
      if (this.entries.has(id) || now - (this.failedAt.get(id) ?? -Infinity) < RETRY_MS) continue;
      this.failedAt.set(id, now);
      this.ensure(id)
        .then((e) => e.started)
        .then(() => {
          this.failedAt.delete(id);
          this.toldFailure.delete(id);
        })
        .catch((err: Error) => {
          if (this.toldFailure.get(id) === err.message) return;
          this.toldFailure.set(id, err.message);
          this.deps.log.warn(`connect/disconnect alerts for profile ${id}: ${err.message} (retried every 30 s; told once)`);
        });
    }
    for (const [id, entry] of this.entries) {
      for (const [view, until] of entry.leases) if (until <= now) entry.leases.delete(view);
      if (entry.leases.size > 0 || this.alertProfiles.has(id)) continue;
      this.entries.delete(id);
      await entry.watcher.stop();
    }
  }
}
