import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { profileOr404 } from './lookup.js';
import type { HandlerGroup } from './types.js';

type Methods = 'sessions.list' | 'sessions.connect' | 'sessions.disconnect';

/** Sessions: one per profile, connected with the vault's secret or one typed at connect. */
export function sessionHandlers(s: Pick<CoreServices, 'profiles' | 'vault' | 'sessions'>): HandlerGroup<Methods> {
  return {
    'sessions.list': async () => s.profiles.list().map((p) => s.sessions.state(p.id)),
    'sessions.connect': async ({ profileId, secret }) => {
      const profile = profileOr404(s.profiles, profileId);
      // read (not has): a locked keychain must say "unlock it", not "no credential"
      if (secret === undefined && profile.kind !== 'mqtt' && !(await s.vault.read(profileId))) {
        throw new ApiError('invalid_params', `${profile.name} has no credential: add it in the profile, or enter it to connect`);
      }
      return s.sessions.connect(profile, secret);
    },
    'sessions.disconnect': async ({ profileId }) => s.sessions.disconnect(profileOr404(s.profiles, profileId).id),
  };
}
