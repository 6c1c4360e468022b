import { ApiError } from '../../api.js';
import { regenerateChannelToken, type TokenRegenerationDeps } from '../account/token-regeneration.js';
import type { CoreServices } from '../core.js';
import { restInWords } from './rest-errors.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods =
  | 'account.channels'
  | 'account.createChannel'
  | 'account.deleteChannel'
  | 'account.createResource'
  | 'account.deleteResource'
  | 'account.copyToken'
  | 'account.regenerateToken';

/** Beebotte account tools (channels, resources, tokens) over REST; the same against the sandbox. */
export function accountHandlers(s: Pick<CoreServices, 'profiles' | 'vault' | 'sessions' | 'devices' | 'bus' | 'platform' | 'sandbox' | 'onDemoTokenChanged'>): HandlerGroup<Methods> {
  const demo = s.sandbox?.demo;
  const regeneration: TokenRegenerationDeps = {
    profiles: s.profiles,
    vault: s.vault,
    sessions: s.sessions,
    devices: s.devices,
    bus: s.bus,
    demo: demo
      ? { channel: demo.channel, apiKey: demo.apiKey, tokenChanged: (token) => s.onDemoTokenChanged?.(token) }
      : null,
  };
  const admin = async (profileId: string) => {
    const rest = await restForProfile(s, profileId);
    if (!rest.canAdmin) {
      throw new ApiError('failed', 'account tools need the account credentials (API key + secret key) or an IAM token with admin rights');
    }
    return rest;
  };

  return {
    'account.channels': ({ profileId }) => restInWords(async () => (await admin(profileId)).channels()),

    'account.createChannel': ({ profileId, channel }) =>
      restInWords(async () => {
        const names = new Set<string>();
        for (const r of channel.resources) {
          if (names.has(r.name)) throw new ApiError('invalid_params', `resource ${r.name} is listed twice`);
          names.add(r.name);
        }
        return (await admin(profileId)).createChannel(channel);
      }),

    'account.deleteChannel': ({ profileId, channel }) =>
      restInWords(async () => {
        await (await admin(profileId)).deleteChannel(channel);
        return { deleted: true };
      }),

    'account.createResource': ({ profileId, channel, resource }) =>
      restInWords(async () => {
        const rest = await admin(profileId);
        await rest.createResource(channel, resource);
        return rest.channel(channel);
      }),

    'account.deleteResource': ({ profileId, channel, resource }) =>
      restInWords(async () => {
        await (await admin(profileId)).deleteResource(channel, resource);
        return { deleted: true };
      }),

    'account.copyToken': ({ profileId, channel }) =>
      restInWords(async () => {
        const { token } = await (await admin(profileId)).channel(channel);
        if (!token) throw new ApiError('failed', `the server did not return a token for ${channel}`);
        // Electron copies in the main process: the token never reaches the renderer
        if (s.platform.clipboard) {
          s.platform.clipboard.writeText(token);
          return { copied: true };
        }
        return { copied: false, token };
      }),

    /** the old token dies at once; profiles, the demo and paired devices follow (account/token-regeneration.ts) */
    'account.regenerateToken': ({ profileId, channel }) =>
      restInWords(async () => regenerateChannelToken(regeneration, await admin(profileId), profileId, channel)),
  };
}
