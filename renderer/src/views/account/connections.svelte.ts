/**
 * The Connections section's state: the chosen profile's live connection list (the core's presence watcher,
 * held by a lease this view renews while it is open) and the last connect/disconnect events it reported.
 */
import type { ConnectionsSnapshot, PresenceEventDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';

/** the core keeps a watch for 60 s: renewed well before it lapses */
const RENEW_MS = 20_000;
const MAX_EVENTS = 20;

export class ConnectionsState {
  snapshot = $state.raw<ConnectionsSnapshot | null>(null);
  events = $state.raw<PresenceEventDTO[]>([]);
  error = $state<string | null>(null);
  loading = $state(false);
  /** the outcome of the last drop, shown above the list */
  note = $state<{ kind: 'ok' | 'error'; text: string } | null>(null);
  private offs: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | null = null;

  /** this view's lease on the watcher: another window's leaving does not stop it */
  private readonly viewId = `view-${Math.random().toString(36).slice(2, 12)}`;

  constructor(readonly profileId: string) {}

  /** Starts watching; returns the function that stops it (an $effect's cleanup). */
  start(): () => void {
    this.offs.push(
      api.on('connections.changed', (s) => {
        if (s.profileId === this.profileId) this.snapshot = s;
      }),
      api.on('connections.event', (e) => {
        if (e.profileId === this.profileId) this.events = [e, ...this.events].slice(0, MAX_EVENTS);
      }),
    );
    void this.watch();
    this.timer = setInterval(() => void this.watch(true), RENEW_MS);
    return () => this.stop();
  }

  async watch(renewal = false): Promise<void> {
    if (!renewal) this.loading = true;
    try {
      const snapshot = await api.call('connections.watch', { profileId: this.profileId, viewId: this.viewId });
      // a renewal answers with the watcher's last list: only take it when no live update came in meanwhile
      if (!renewal || !this.snapshot || snapshot.at >= this.snapshot.at) this.snapshot = snapshot;
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.loading = false;
    }
  }

  async drop(userid: string): Promise<void> {
    try {
      const { dropped, remaining } = await api.call('connections.drop', { profileId: this.profileId, userid });
      this.snapshot = remaining;
      this.note = dropped
        ? { kind: 'ok', text: `Dropped ${userid}. A device that reconnects by itself will be back: revoke its token to keep it out.` }
        : { kind: 'ok', text: `${userid} was no longer connected.` };
    } catch (e) {
      this.note = { kind: 'error', text: `${userid} not dropped: ${errorText(e)}` };
    }
  }

  private stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    void api.call('connections.unwatch', { profileId: this.profileId, viewId: this.viewId }).catch(() => undefined);
  }
}
