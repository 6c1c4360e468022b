/**
 * App-wide reactive state (Svelte 5 runes), fed by core events: profiles, sessions, the tray model,
 * the current tab. The log and the explorer keep their own modules (log.svelte.ts, explorer.svelte.ts);
 * start() wires every core event to them once.
 */
import type { AppInfo, ProfileDTO, SavedProfile, SessionState, SessionStatus, TrayModel } from '../../../electron/api';
import { api } from './api';
import { errorText } from './format';
import { log, setPaused, LOG_WINDOW } from './log.svelte';
import { explorer } from './explorer.svelte';
import { exportsState, historyExports } from './exports.svelte';
import { perFrameAtMost } from './frame';

export { log, setPaused, LOG_WINDOW };

export type Tab = 'explorer' | 'log' | 'devices' | 'alerts' | 'account';
export const TABS: { id: Tab; label: string }[] = [
  { id: 'explorer', label: 'Explorer' },
  { id: 'log', label: 'Log' },
  { id: 'devices', label: 'Devices' },
  { id: 'alerts', label: 'Alerts' },
  { id: 'account', label: 'Account' },
];

export const app = $state({
  info: null as AppInfo | null,
  profiles: [] as ProfileDTO[],
  sessions: {} as Record<string, SessionState>,
  hostConnected: true,
  /** messages per second, all profiles: the explorer's rates summed (one definition, common/rate.ts) */
  rate: 0,
  /** messages received since the core started, all profiles (the core counts them: a reload keeps the figure) */
  received: null as number | null,
  selectedProfileId: null as string | null,
  tab: 'explorer' as Tab,
  tray: null as TrayModel | null,
  trayError: null as string | null,
  composerOpen: true,
  paletteOpen: false,
  /** what saving a profile did to its live session, on its card until the session moves on (noteSaved) */
  sessionNotes: {} as Record<string, SessionNote>,
});

export interface SessionNote {
  text: string;
  error?: true;
}

/** Saving a profile with a live session restarted it (or could not): the card says so. */
export function noteSaved(saved: SavedProfile): void {
  if (saved.restartError) app.sessionNotes[saved.id] = { text: saved.restartError, error: true };
  else if (saved.restarted && noteHolds({ text: '' }, app.sessions[saved.id]?.status)) {
    app.sessionNotes[saved.id] = { text: 'Reconnecting with the new settings' };
  }
}

/** "Reconnecting…" lasts while the new session tries; "not reconnected" until the user connects again. */
function noteHolds(note: SessionNote, status: SessionStatus | undefined): boolean {
  if (note.error) return status === 'idle' || status === undefined;
  return status === 'connecting' || status === 'reconnecting';
}

/** A clock for relative times: one reactive tick a second, read only by visible rows. */
export const clock = $state({ now: Date.now() });

/** Messages received since the core started: the one figure the status bar and the log footer show. */
export function receivedCount(): number {
  return app.received ?? log.total;
}

export function profileName(id: string): string {
  return app.profiles.find((p) => p.id === id)?.name ?? id;
}

export function isLive(profileId: string): boolean {
  const s = app.sessions[profileId]?.status;
  return s === 'connected' || s === 'connecting' || s === 'reconnecting';
}

/** Beebotte profiles declare channels and resources over REST; generic brokers have nothing to declare. */
function loadDeclared(profileId: string): Promise<void> {
  const kind = app.profiles.find((p) => p.id === profileId)?.kind;
  return kind && kind !== 'mqtt' ? explorer.loadDeclared(profileId) : Promise.resolve();
}

/**
 * The status bar's figures (received, msg/s) follow batches and deltas that come every ~75 ms each under load;
 * repainting them on every one kept most frames busy and inputs waiting (test/bench, issue 19). They are
 * summed here and shown at most 4 times a second.
 */
const figures = {
  received: 0,
  schedule: perFrameAtMost(250, () => {
    if (app.received !== null && figures.received) app.received += figures.received;
    figures.received = 0;
    app.rate = explorer.totalRate();
  }),
};

let started = false;

export async function start(): Promise<void> {
  if (!started) {
    started = true;
    api.on('session.state', (s) => {
      app.sessions[s.profileId] = s;
      const note = app.sessionNotes[s.profileId];
      if (note && !noteHolds(note, s.status)) delete app.sessionNotes[s.profileId];
      if (s.status === 'connected') void loadDeclared(s.profileId);
    });
    api.on('profiles.changed', (profiles) => (app.profiles = profiles));
    api.on('messages.batch', (batch) => {
      // the core counted these when it sent them, so they are not in a messages.stats answered before
      if (app.received !== null) figures.received += batch.messages.length + batch.skipped + (batch.dropped ?? 0);
      figures.schedule();
      log.ingest(batch);
      explorer.observe(batch);
    });
    api.on('explorer.delta', (stats) => {
      explorer.applyDelta(stats);
      figures.schedule();
    });
    api.on('tray.model', (model) => (app.tray = model));
    api.on('export.progress', (p) => (p.kind === 'history' ? historyExports : exportsState).progress(p));
    setInterval(() => (clock.now = Date.now()), 1000);
    const bridge = api as { onConnection?: (l: (c: boolean) => void) => () => void };
    let firstOpen = true;
    bridge.onConnection?.((connected) => {
      app.hostConnected = connected;
      if (!connected) return;
      // the socket's first opening is the one the start's refresh (below) waits for: refreshing here too sent every
      // first-screen call twice on the way to the first reading. A reconnection refreshes.
      const startsRefresh = firstOpen && initialRefresh !== null;
      firstOpen = false;
      if (!startsRefresh) void refresh();
    });
    initialRefresh = refresh().finally(() => (initialRefresh = null));
  }
  await (initialRefresh ?? refresh());
}

/** start()'s first refresh while it runs */
let initialRefresh: Promise<void> | null = null;

async function refresh(): Promise<void> {
  const [info, profiles, sessions] = await Promise.all([
    api.call('app.info', {}),
    api.call('profiles.list', {}),
    api.call('sessions.list', {}),
  ]);
  app.info = info;
  app.profiles = profiles;
  for (const s of sessions) app.sessions[s.profileId] = s;
  if (!app.selectedProfileId || !profiles.some((p) => p.id === app.selectedProfileId)) {
    app.selectedProfileId = profiles[0]?.id ?? null;
  }
  // each of these may still be landing in the core: one failing must not blank the others
  await Promise.all([
    log.reload(),
    explorer.reload().then(() => (app.rate = explorer.totalRate())),
    api.call('messages.stats', {}).then(
      (s) => {
        // the answer counts what was sent before it: batches summed meanwhile are in it
        figures.received = 0;
        app.received = s.received;
      },
      () => undefined,
    ),
    api.call('tray.model', {}).then(
      (m) => ((app.tray = m), (app.trayError = null)),
      (e) => (app.trayError = errorText(e)),
    ),
    ...sessions.filter((s) => s.status === 'connected').map((s) => loadDeclared(s.profileId)),
  ]);
}
