import type { CoreServices } from '../core.js';
import type { HandlerGroup } from './types.js';

type Methods = 'connections.list' | 'connections.drop' | 'connections.watch' | 'connections.unwatch';

/** Who is connected to a profile's account (core/account/presence.ts): one-line adapters. */
export function presenceHandlers(s: Pick<CoreServices, 'presence'>): HandlerGroup<Methods> {
  const p = s.presence;
  return {
    'connections.list': ({ profileId }) => p.list(profileId),
    'connections.drop': ({ profileId, userid }) => p.drop(profileId, userid),
    'connections.watch': ({ profileId, viewId }) => p.watch(profileId, viewId),
    'connections.unwatch': async ({ profileId, viewId }) => ({ watching: await p.unwatch(profileId, viewId) }),
  };
}
