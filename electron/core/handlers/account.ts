import { ApiError, type KnownDevice } from '../../api.js';
import { isValidName } from '../../common/beebotte-names.js';
import { BeebotteRestError } from '../beebotte/rest-client.js';
import type { CoreServices } from '../core.js';
import type { Profile } from '../profiles/profile.js';
import { moveProfilesToNewToken } from '../profiles/token-move.js';
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
export function accountHandlers(s: CoreServices): HandlerGroup<Methods> {
  const admin = async (profileId: string) => {
    const rest = await restForProfile(s, profileId);
    if (!rest.canAdmin) {
      throw new ApiError('failed', 'account tools need the account credentials (API key + secret key) or an IAM token with admin rights');
    }
    return rest;
  };
  const readable = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof BeebotteRestError) throw new ApiError('failed', err.message);
      throw err;
    }
  };

  return {
    'account.channels': ({ profileId }) => readable(async () => (await admin(profileId)).channels()),

    'account.createChannel': ({ profileId, channel }) =>
      readable(async () => {
        const names = new Set<string>();
        for (const r of channel.resources) {
          if (names.has(r.name)) throw new ApiError('invalid_params', `resource ${r.name} is listed twice`);
          names.add(r.name);
        }
        return (await admin(profileId)).createChannel(channel);
      }),

    'account.deleteChannel': ({ profileId, channel }) =>
      readable(async () => {
        await (await admin(profileId)).deleteChannel(channel);
        return { deleted: true };
      }),

    'account.createResource': ({ profileId, channel, resource }) =>
      readable(async () => {
        const rest = await admin(profileId);
        await rest.createResource(channel, resource);
        return rest.channel(channel);
      }),

    'account.deleteResource': ({ profileId, channel, resource }) =>
      readable(async () => {
        await (await admin(profileId)).deleteResource(channel, resource);
        return { deleted: true };
      }),

    'account.copyToken': ({ profileId, channel }) =>
      readable(async () => {
        const { token } = await (await admin(profileId)).channel(channel);
        if (!token) throw new ApiError('failed', `the server did not return a token for ${channel}`);
        // Electron copies in the main process: the token never reaches the renderer
        if (s.platform.clipboard) {
          s.platform.clipboard.writeText(token);
          return { copied: true };
        }
        return { copied: false, token };
      }),

    /**
     * Regenerate a channel token: every own profile that used the old token (as its credential, or as a
     * generic profile's username) gets the new one in the vault and reconnects (profiles/token-move.ts). Each
     * moves on its own, so one that fails (locked keychain…) is reported and the others still move. Paired
     * devices on that channel of the same account are listed as holding a dead token.
     */
    'account.regenerateToken': ({ profileId, channel }) =>
      readable(async () => {
        if (!isValidName(channel)) throw new ApiError('invalid_params', `invalid channel name ${channel}`);
        const used = s.profiles.get(profileId);
        const rest = await admin(profileId);
        const oldToken = (await rest.channel(channel)).token;
        const newToken = await rest.regenerateToken(channel);
        // from here on the old token is dead: nothing below may stop the rest from happening
        const {
          moved,
          heldOldToken,
          failed: failedProfiles,
        } = await moveProfilesToNewToken(s.profiles.list(), s.vault, oldToken, newToken, {
          failing: 'has the new token, but reconnecting failed',
          run: async (profile) => {
            const status = s.sessions.state(profile.id).status;
            if (status !== 'idle' && status !== 'closed') await s.sessions.connect(profile);
          },
        });
        const reconnectedProfiles = moved.map((p) => p.id);
        if (s.sandbox?.demo && used?.builtIn && channel === s.sandbox.demo.channel) {
          s.sandbox.demo.token = newToken; // the demo sensor reconnects with it
          s.onDemoTokenChanged?.(newToken);
        }
        const account = used ? accountOf(s, used) : null;
        const sameAccount = (device: KnownDevice): boolean => {
          if (device.profileId === profileId || heldOldToken.has(device.profileId)) return true;
          const owner = s.profiles.get(device.profileId);
          return !!owner && account !== null && accountOf(s, owner) === account;
        };
        const staleDevices: KnownDevice[] = [];
        for (const device of s.devices.list()) {
          if (device.channel !== channel || !sameAccount(device)) continue;
          const updated = s.devices.update(device.id, { staleToken: true, online: false });
          if (updated) staleDevices.push(updated);
        }
        if (staleDevices.length) s.bus.emit('devices.changed', s.devices.list());
        return { reconnectedProfiles, failedProfiles, staleDevices };
      }),
  };
}

/**
 * Which Beebotte account a profile reaches, when the profile alone can tell: the endpoint (the embedded
 * sandbox or Beebotte's cloud) and the account's API key. A token profile does not say which account
 * issued its token: null (it matches only when it held the regenerated token itself).
 */
function accountOf(s: CoreServices, profile: Profile): string | null {
  if (profile.kind === 'mqtt') return null;
  const endpoint = profile.kind === 'sandbox' ? 'sandbox' : 'beebotte-cloud';
  if (profile.builtIn && profile.kind === 'sandbox' && s.sandbox?.demo) return `${endpoint} ${s.sandbox.demo.apiKey}`;
  if (profile.credentialType === 'secretKey' && profile.apiKey) return `${endpoint} ${profile.apiKey}`;
  return null;
}
