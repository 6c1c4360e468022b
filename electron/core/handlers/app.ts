import type { AppInfo, ProfileDTO, PublishHistoryEntry, SavedProfile } from '../../api.js';
import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { checkProfile, normalizeProfile, type Profile } from '../profiles/profile.js';
import { applyUsername, planUsername, toProfileDTO } from '../profiles/secret-username.js';
import { connectionSettingsChanged, RESTART_NOTE, sessionIsWanted } from '../profiles/live-edit.js';
import { usernameSlot } from '../vault/index.js';
import { InvalidQueryError, toFullMessageDTO, toMessageDTO } from '../store/index.js';
import { PREVIEW_BYTES } from '../ingest/decode.js';
import type { HandlerGroup } from './types.js';

type AppMethods =
  | 'app.info'
  | 'profiles.list'
  | 'profiles.save'
  | 'profiles.remove'
  | 'sessions.list'
  | 'sessions.connect'
  | 'sessions.disconnect'
  | 'messages.publish'
  | 'messages.query'
  | 'messages.get';

/** Profiles, sessions, publish and the log. Params arrive already validated by parseCall. */
export function appHandlers(s: CoreServices, info: () => Promise<AppInfo>): HandlerGroup<AppMethods> {
  const profileOr404 = (id: string): Profile => {
    const profile = s.profiles.get(id);
    if (!profile) throw new ApiError('not_found', `no profile with id ${id}`);
    return profile;
  };
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
    'app.info': () => info(),
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
      const profile = profileOr404(id);
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
    'sessions.list': async () => s.profiles.list().map((p) => s.sessions.state(p.id)),
    'sessions.connect': async ({ profileId, secret }) => {
      const profile = profileOr404(profileId);
      // read (not has): a locked keychain must say "unlock it", not "no credential"
      if (secret === undefined && profile.kind !== 'mqtt' && !(await s.vault.read(profileId))) {
        throw new ApiError('invalid_params', `${profile.name} has no credential: add it in the profile, or enter it to connect`);
      }
      return s.sessions.connect(profile, secret);
    },
    'sessions.disconnect': async ({ profileId }) => s.sessions.disconnect(profileOr404(profileId).id),
    'messages.publish': async (input) => {
      const profile = profileOr404(input.profileId);
      const entry = { at: s.platform.clock.now(), profileId: profile.id, topic: input.topic, data: input.data, write: input.write, ispublic: input.ispublic, qos: input.qos };
      // the history is a convenience: failing to write it (disk full) must not turn a sent message into an error
      const record = (status: PublishHistoryEntry['status'], error?: string) => {
        try {
          s.composer.record({ ...entry, status, ...(error ? { error } : {}) });
        } catch (err) {
          s.platform.log.warn(`publish history not saved: ${(err as Error).message}`);
        }
      };
      try {
        const result = await s.sessions.publish(profile, input);
        record(result.status);
        return result;
      } catch (err) {
        record('failed', (err as Error).message);
        throw err;
      }
    },
    'messages.query': async (query) => {
      try {
        await s.writer.settled(); // read what the UI was already shown
        return s.log.query(query).map((row) => toMessageDTO(row, PREVIEW_BYTES));
      } catch (err) {
        if (err instanceof InvalidQueryError) throw new ApiError('invalid_params', err.message);
        throw err;
      }
    },
    'messages.get': async ({ id }) => {
      await s.writer.settled();
      const row = s.log.get(id);
      if (!row) throw new ApiError('not_found', `message ${id} is no longer in the store (retention budget)`);
      return toFullMessageDTO(row);
    },
  };
}
