import type { CoreServices } from '../core.js';
import type { HandlerGroup } from './types.js';

/** The topic tree's per-topic stats. */
export function explorerHandlers(s: Pick<CoreServices, 'topics' | 'platform'>): HandlerGroup<'explorer.topics'> {
  return {
    'explorer.topics': async ({ profileId }) => s.topics.list(profileId, s.platform.clock.now()),
  };
}
