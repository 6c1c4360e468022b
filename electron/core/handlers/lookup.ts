import { ApiError } from '../../api.js';
import type { Profile } from '../profiles/profile.js';
import type { ProfileStore } from '../profiles/profile-store.js';

/** The profile a call names, or not_found. */
export function profileOr404(profiles: Pick<ProfileStore, 'get'>, id: string): Profile {
  const profile = profiles.get(id);
  if (!profile) throw new ApiError('not_found', `no profile with id ${id}`);
  return profile;
}
