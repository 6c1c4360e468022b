import type { ProfileDTO, SavedProfile } from '../../api.js';
import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { checkProfile, normalizeProfile, type Profile } from '../profiles/profile.js';
import { applyUsername, planUsername, toProfileDTO } from '../profiles/secret-username.js';
import { connectionSettingsChanged, RESTART_NOTE, sessionIsWanted } from '../profiles/live-edit.js';
import { usernameSlot } from '../vault/index.js';
import { profileOr404 } from './lookup.js';
import type { HandlerGroup } from './types.js';

type Methods = 'profiles.list' | 'profiles.save' | 'profiles.remove';

type Deps = Pick<CoreServices, 'profiles' | 'vault' | 'sessions' | 'outbox' | 'topics' | 'bus' | 'platform'>;

/** Profiles: saved without secrets (the vault has them); an edit restarts the live session it changes. */
export function profileHandlers(s: Deps): HandlerGroup<Methods> {
  const toDTO = (profile: Profile): Promise<ProfileDTO> => toProfileDTO(s.vault, profile);
  const listDTOs = async () => Promise.all(s.profiles.list().map(toDTO));
  /** A session keeps the settings it was built with: an edit that changes them restarts it (live-edit.ts). */
  const restartLiveSession = async (
    before: Profile,
    after: Profile,
    secretChanged: boolean,
  ): Promise<Pick<SavedProfile, 'restarted' | 'restartError'>> => {
    if (!sessionIsWanted(s.sessions.state(after.id).status)) return {};
    if (!secretChanged && !connectionSettingsChanged(before, after)) return {};
    try {
      await s.sessions.restart(after, secretChanged);
      s.platform.log.info(`${after.name}: ${RESTART_NOTE.toLowerCase()}`);
      return { restarted: true };
    } catch (err) {
      // the profile is saved either way; the card says why its session is off now
      const restartError = `saved, but not reconnected: ${(err as Error).message}`;
      s.platform.log.warn(`${after.name}: ${restartError}`);
      s.bus.emit('session.state', s.sessions.state(after.id)); // the old session is gone: off, not its old state
      return { restartError };
    }
  };

  return {
    'profiles.list': () => listDTOs(),
    'profiles.save': async (input) => {
      const previous = input.id ? s.profiles.get(input.id) : undefined;
      if (previous?.builtIn) throw new ApiError('invalid_params', 'the built-in sandbox profile cannot be edited');
      const normalized = normalizeProfile(input, previous?.id ?? s.profiles.newId(), previous);
      const problem = checkProfile(normalized);
      if (problem) throw new ApiError('invalid_params', problem);
      // a token as a generic MQTT username is a secret: the vault has it, the profile only says so
      const { profile, change } = planUsername(normalized, input, previous);
      // the secrets first: a locked keychain must not leave a profile without its credential
      if (input.secret !== undefined) {
        if (input.secret === '') await s.vault.forget(profile.id);
        else await s.vault.save(profile.id, input.secret, profile.secretMode);
      }
      await applyUsername(s.vault, profile, change);
      s.profiles.put(profile);
      s.platform.log.info(`profile saved: ${profile.name} (${profile.kind})`);
      // before the list goes out: the card never shows the new settings beside the old session's error
      const restart = previous
        ? await restartLiveSession(previous, profile, input.secret !== undefined || change.kind !== 'none')
        : {};
      s.bus.emit('profiles.changed', await listDTOs());
      return { ...(await toDTO(profile)), ...restart };
    },
    'profiles.remove': async ({ id }) => {
      const profile = profileOr404(s.profiles, id);
      if (profile.builtIn) throw new ApiError('invalid_params', 'the built-in sandbox profile cannot be removed');
      await s.sessions.disconnect(id);
      await s.vault.forget(id);
      await s.vault.forget(usernameSlot(id));
      // its queued messages go with it: nothing could ever send them, and they would count against no profile
      const dropped = s.outbox.clear(id);
      if (dropped) s.platform.log.info(`profile ${profile.name} removed with ${dropped} queued message(s)`);
      s.topics.forget(id);
      const removed = s.profiles.remove(id);
      s.bus.emit('profiles.changed', await listDTOs());
      return { removed };
    },
  };
}
