/**
 * Saving a profile that has a live session applies the new settings to that session: a session keeps the
 * settings it was built with, so an edited URL would otherwise sit beside the old URL's error until the user
 * disconnected and connected by hand.
 */
import type { SessionStatus } from '../../api.js';
import type { Profile } from './profile.js';

/** Fields a session does not read: changing only these leaves a connected session alone. */
const NOT_USED_BY_SESSION: ReadonlySet<string> = new Set(['name', 'autoConnect']);

/** What the card says while the session restarts after a save. */
export const RESTART_NOTE = 'Reconnecting with the new settings';

/**
 * Statuses of a session the user still wants: connecting, connected, reconnecting — and failed, which
 * stops retrying but stays on the card until the user disconnects; new settings are what would fix it.
 */
export function sessionIsWanted(status: SessionStatus): boolean {
  return status === 'connecting' || status === 'connected' || status === 'reconnecting' || status === 'failed';
}

/** Whether the saved profile connects differently than before (secrets are compared by the caller). */
export function connectionSettingsChanged(before: Profile, after: Profile): boolean {
  return sessionView(before) !== sessionView(after);
}

function sessionView(profile: Profile): string {
  const entries = Object.entries(profile)
    .filter(([key, value]) => !NOT_USED_BY_SESSION.has(key) && value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}
