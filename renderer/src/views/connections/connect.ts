/** Connect / disconnect a profile; shared by the list, the command palette and the header. */
import type { ProfileDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { app, isLive } from '../../lib/state.svelte';

/** A secret must be typed at connect: "ask" profiles whose secret is not held for this run. */
export function needsSecret(p: ProfileDTO): boolean {
  if (p.hasSecret) return false;
  if (p.kind === 'mqtt') return p.secretMode === 'ask' && !!p.username;
  return true;
}

export async function toggleSession(profileId: string, secret?: string): Promise<void> {
  const state = isLive(profileId)
    ? await api.call('sessions.disconnect', { profileId })
    : await api.call('sessions.connect', { profileId, ...(secret !== undefined ? { secret } : {}) });
  app.sessions[profileId] = state;
}
