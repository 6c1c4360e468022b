/**
 * Regenerating a channel token, and everything that must follow it: every own profile that used the old token
 * (as its credential, or as a generic profile's username) gets the new one in the vault and reconnects
 * (profiles/token-move.ts), each on its own so one that fails (a locked keychain…) is reported while the others
 * still move; the embedded demo follows when its channel was regenerated; paired devices of the same account
 * on that channel are marked as holding a dead token.
 */
import type { KnownDevice, MethodResults } from '../../api.js';
import type { BeebotteRest } from '../beebotte/rest-client.js';
import type { DeviceRegistry } from '../devices/registry.js';
import type { EventBus } from '../events.js';
import type { Profile } from '../profiles/profile.js';
import type { ProfileStore } from '../profiles/profile-store.js';
import { moveProfilesToNewToken } from '../profiles/token-move.js';
import type { SessionManager } from '../session/manager.js';
import type { Vault } from '../vault/index.js';

/** The embedded sandbox's demo account, when it runs. */
export interface EmbeddedDemo {
  channel: string;
  apiKey: string;
  /** its channel token was regenerated: the composition root updates the sandbox's record and the demo sensor */
  tokenChanged(token: string): void;
}

export interface TokenRegenerationDeps {
  profiles: Pick<ProfileStore, 'get' | 'list'>;
  vault: Vault;
  sessions: Pick<SessionManager, 'state' | 'connect'>;
  devices: Pick<DeviceRegistry, 'list' | 'update'>;
  bus: EventBus;
  demo: EmbeddedDemo | null;
}

export type RegenerateResult = MethodResults['account.regenerateToken'];

export async function regenerateChannelToken(
  deps: TokenRegenerationDeps,
  rest: BeebotteRest,
  profileId: string,
  channel: string,
): Promise<RegenerateResult> {
  const used = deps.profiles.get(profileId);
  const oldToken = (await rest.channel(channel)).token;
  const newToken = await rest.regenerateToken(channel);
  // from here on the old token is dead: nothing below may stop the rest from happening
  const { moved, heldOldToken, failed } = await moveProfilesToNewToken(deps.profiles.list(), deps.vault, oldToken, newToken, {
    failing: 'has the new token, but reconnecting failed',
    run: async (profile) => {
      const status = deps.sessions.state(profile.id).status;
      if (status !== 'idle' && status !== 'closed') await deps.sessions.connect(profile);
    },
  });
  if (deps.demo && used?.builtIn && channel === deps.demo.channel) deps.demo.tokenChanged(newToken);

  const account = used ? accountOf(used, deps.demo) : null;
  const sameAccount = (device: KnownDevice): boolean => {
    if (device.profileId === profileId || heldOldToken.has(device.profileId)) return true;
    const owner = deps.profiles.get(device.profileId);
    return !!owner && account !== null && accountOf(owner, deps.demo) === account;
  };
  const staleDevices: KnownDevice[] = [];
  for (const device of deps.devices.list()) {
    // a device with an IAM token of its own never held the channel token: it keeps working
    if (device.channel !== channel || device.iamToken || !sameAccount(device)) continue;
    const updated = deps.devices.update(device.id, { staleToken: true, online: false });
    if (updated) staleDevices.push(updated);
  }
  if (staleDevices.length) deps.bus.emit('devices.changed', deps.devices.list());
  return { reconnectedProfiles: moved.map((p) => p.id), failedProfiles: failed, staleDevices };
}

/**
 * Which Beebotte account a profile reaches, when the profile alone can tell: the endpoint (the embedded
 * sandbox or Beebotte's cloud) and the account's API key. A token profile does not say which account
 * issued its token: null (it matches only when it held the regenerated token itself).
 */
function accountOf(profile: Profile, demo: EmbeddedDemo | null): string | null {
  if (profile.kind === 'mqtt') return null;
  const endpoint = profile.kind === 'sandbox' ? 'sandbox' : 'beebotte-cloud';
  if (profile.builtIn && profile.kind === 'sandbox' && demo) return `${endpoint} ${demo.apiKey}`;
  if (profile.credentialType === 'secretKey' && profile.apiKey) return `${endpoint} ${profile.apiKey}`;
  return null;
}
