import { ApiError, type KnownDevice } from '../../api.js';
import { isValidName } from '../beebotte/names.js';
import { BeebotteRestError } from '../beebotte/rest-client.js';
import type { CoreServices } from '../core.js';
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
     * Regenerate a channel token: every own profile that used the old token gets the new one in the
     * keychain and reconnects; paired devices on the channel are listed as holding a dead token.
     */
    'account.regenerateToken': ({ profileId, channel }) =>
      readable(async () => {
        if (!isValidName(channel)) throw new ApiError('invalid_params', `invalid channel name ${channel}`);
        const rest = await admin(profileId);
        const oldToken = (await rest.channel(channel)).token;
        const newToken = await rest.regenerateToken(channel);
        const reconnectedProfiles: string[] = [];
        for (const profile of s.profiles.list()) {
          if (profile.kind === 'mqtt' || profile.credentialType !== 'channelToken') continue;
          const secret = await s.vault.read(profile.id);
          if (!secret || !oldToken || stripPrefix(secret) !== stripPrefix(oldToken)) continue;
          await s.vault.save(profile.id, newToken, profile.builtIn ? 'ask' : profile.secretMode);
          const status = s.sessions.state(profile.id).status;
          if (status !== 'idle' && status !== 'closed') await s.sessions.connect(profile);
          reconnectedProfiles.push(profile.id);
        }
        if (s.sandbox?.demo && s.profiles.get(profileId)?.builtIn && channel === s.sandbox.demo.channel) {
          s.sandbox.demo.token = newToken; // the demo sensor reconnects with it
          s.onDemoTokenChanged?.(newToken);
        }
        const staleDevices: KnownDevice[] = [];
        for (const device of s.devices.list()) {
          if (device.channel !== channel) continue;
          const updated = s.devices.update(device.id, { staleToken: true, online: false });
          if (updated) staleDevices.push(updated);
        }
        if (staleDevices.length) s.bus.emit('devices.changed', s.devices.list());
        return { reconnectedProfiles, staleDevices };
      }),
  };
}

function stripPrefix(token: string): string {
  return token.startsWith('token:') ? token.slice(6) : token;
}
