import type { ProfileDTO, SubscriptionDTO } from '../../api.js';
import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import type { Profile } from '../profiles/profile.js';
import { toProfileDTO } from '../profiles/secret-username.js';
import { clearRetained } from '../session/retained.js';
import type { HandlerGroup } from './types.js';

type Mqtt5Methods =
  'sessions.subscribe' | 'sessions.unsubscribe' | 'sessions.pause' | 'sessions.subscriptions' | 'retained.clear';

/** Live subscriptions of a running session (kept in its profile) and clearing retained messages. */
export function mqtt5Handlers(s: Pick<CoreServices, 'profiles' | 'vault' | 'sessions' | 'bus' | 'platform'>): HandlerGroup<Mqtt5Methods> {
  const profileOr404 = (id: string): Profile => {
    const profile = s.profiles.get(id);
    if (!profile) throw new ApiError('not_found', `no profile with id ${id}`);
    return profile;
  };
  /** The profile keeps what the live session has now, so the next connect subscribes the same way. */
  const keep = async (profile: Profile, live: SubscriptionDTO[]): Promise<SubscriptionDTO[]> => {
    const next: Profile = { ...profile, subscriptions: live.map((l) => l.filter) };
    if (profile.kind === 'mqtt') {
      next.subscriptionOptions = Object.fromEntries(live.map(({ filter, granted: _granted, ...options }) => [filter, options]));
    }
    if (!profile.builtIn) s.profiles.put(next);
    else s.profiles.putBuiltIn(next);
    const dtos: ProfileDTO[] = await Promise.all(s.profiles.list().map((p) => toProfileDTO(s.vault, p)));
    s.bus.emit('profiles.changed', dtos);
    return live;
  };
  return {
    'sessions.subscribe': async ({ profileId, filter, ...options }) => {
      const profile = profileOr404(profileId);
      if (profile.kind !== 'mqtt') {
        const where = profile.kind === 'beebotte' ? 'Beebotte' : 'the sandbox';
        if (options.qos === 2) throw new ApiError('invalid_params', `${where} grants QoS 0 and 1 only: subscribe with QoS 1`);
        if (options.noLocal || options.retainAsPublished || options.retainHandling !== 0) {
          throw new ApiError(
            'invalid_params',
            `${where} speaks MQTT 3.1.1: no local, retain as published and retain handling need a generic MQTT 5 profile`,
          );
        }
      } else if (
        profile.protocolVersion !== 5 &&
        (options.noLocal || options.retainAsPublished || options.retainHandling !== 0)
      ) {
        throw new ApiError(
          'invalid_params',
          `no local, retain as published and retain handling need MQTT 5: set ${profile.name}'s protocol version to 5`,
        );
      }
      const live = await s.sessions.subscribe(profileId, filter, options);
      return keep(profile, live);
    },
    'sessions.unsubscribe': async ({ profileId, filter }) =>
      keep(profileOr404(profileId), await s.sessions.unsubscribe(profileId, filter)),
    'sessions.pause': async ({ profileId, filter, paused }) =>
      keep(profileOr404(profileId), await s.sessions.pause(profileId, filter, paused)),
    'sessions.subscriptions': async ({ profileId }) => {
      profileOr404(profileId);
      return s.sessions.subscriptions(profileId);
    },
    'retained.clear': async ({ profileId, filter, confirm }) => {
      const profile = profileOr404(profileId);
      if (profile.kind !== 'mqtt') {
        throw new ApiError(
          'invalid_params',
          'clearing retained messages is for generic MQTT brokers: Beebotte keeps no retained messages to clear',
        );
      }
      const config = await s.sessions.configOf(profile);
      try {
        const result = await clearRetained(config, filter, confirm);
        if (confirm) s.platform.log.info(`${profile.name}: cleared ${result.cleared} retained message(s) under ${filter}`);
        return result;
      } catch (err) {
        throw new ApiError('failed', (err as Error).message);
      }
    },
  };
}
