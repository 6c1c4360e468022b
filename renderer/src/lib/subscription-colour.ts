/**
 * The colour of the live subscription a message came through (profile.subscriptionOptions[filter].colour), for the
 * log's rows. The first coloured filter that matches wins; none → no colour. Matchers are compiled once per profile list.
 */
import type { ProfileDTO } from '../../../electron/api';
import { topicMatcher } from './topics';

type Coloured = { match: (topic: string) => boolean; colour: string; filter: string }[];
let cachedFor: ProfileDTO[] | null = null;
let byProfile = new Map<string, Coloured>();

export function subscriptionColour(
  profiles: ProfileDTO[],
  profileId: string,
  topic: string,
): { colour: string; filter: string } | null {
  if (cachedFor !== profiles) {
    cachedFor = profiles;
    byProfile = new Map(
      profiles.map((p) => [
        p.id,
        Object.entries(p.subscriptionOptions ?? {})
          .filter(([, o]) => o.colour && !o.paused)
          .map(([filter, o]) => ({ filter, colour: o.colour!, match: topicMatcher(filter) })),
      ]),
    );
  }
  const hit = byProfile.get(profileId)?.find((c) => c.match(topic));
  return hit ? { colour: hit.colour, filter: hit.filter } : null;
}
