import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

/** Beebotte's declared channels and stored history, over REST (the same against the sandbox). */
export function beebotteHandlers(s: Pick<CoreServices, 'profiles' | 'sandbox' | 'vault'>): HandlerGroup<'beebotte.channels' | 'beebotte.read'> {
  return {
    'beebotte.channels': async ({ profileId }) => {
      const rest = await restForProfile(s, profileId);
      if (!rest.canAdmin) {
        throw new ApiError('failed', 'declared channels need the account credentials (API key + secret key) or an IAM token with admin rights');
      }
      return rest.channels();
    },

    'beebotte.read': async ({ profileId, channel, resource, timeRange, limit }) =>
      (await restForProfile(s, profileId)).read(channel, resource, { limit, ...(timeRange ? { timeRange } : {}) }),
  };
}
