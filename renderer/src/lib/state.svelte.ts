/**
 * App-wide reactive state (Svelte 5 runes), fed by core events. The log holds a bounded window;
 * older messages are paged from the core's store, never kept here.
 */
import type { AppInfo, MessageDTO, ProfileDTO, SessionState } from '../../../electron/api';
import { api } from './api';

export const LOG_WINDOW = 2000;

export const app = $state({
  info: null as AppInfo | null,
  profiles: [] as ProfileDTO[],
  sessions: {} as Record<string, SessionState>,
  hostConnected: true,
  rate: 0,
  selectedProfileId: null as string | null,
});

export const log = $state({
  messages: [] as MessageDTO[],
  paused: false,
  buffered: 0,
  total: 0,
});

let pausedBuffer: MessageDTO[] = [];

function append(incoming: MessageDTO[]): void {
  // newest first; the window stays bounded
  const next = incoming.slice().reverse().concat(log.messages);
  log.messages = next.length > LOG_WINDOW ? next.slice(0, LOG_WINDOW) : next;
}

export function setPaused(paused: boolean): void {
  log.paused = paused;
  if (!paused && pausedBuffer.length) {
    append(pausedBuffer);
    pausedBuffer = [];
    log.buffered = 0;
  }
}

export async function start(): Promise<void> {
  api.on('session.state', (s) => {
    app.sessions[s.profileId] = s;
  });
  api.on('profiles.changed', (profiles) => {
    app.profiles = profiles;
  });
  api.on('messages.batch', (batch) => {
    app.rate = batch.rate;
    log.total += batch.messages.length + batch.skipped;
    if (log.paused) {
      pausedBuffer = pausedBuffer.concat(batch.messages).slice(-LOG_WINDOW);
      log.buffered += batch.messages.length + batch.skipped;
      return;
    }
    append(batch.messages);
  });
  const bridge = api as { onConnection?: (l: (c: boolean) => void) => () => void };
  bridge.onConnection?.((connected) => {
    app.hostConnected = connected;
    if (connected) void refresh();
  });
  await refresh();
}

async function refresh(): Promise<void> {
  const [info, profiles, sessions, recent] = await Promise.all([
    api.call('app.info', {}),
    api.call('profiles.list', {}),
    api.call('sessions.list', {}),
    api.call('messages.query', { limit: 200 }),
  ]);
  app.info = info;
  app.profiles = profiles;
  for (const s of sessions) app.sessions[s.profileId] = s;
  app.selectedProfileId ??= profiles[0]?.id ?? null;
  log.messages = recent;
}
