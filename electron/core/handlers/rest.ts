import { ApiError } from '../../api.js';
import { BeebotteRest } from '../beebotte/rest-client.js';
import type { CoreServices } from '../core.js';
import { BEEBOTTE_REST } from '../profiles/profile.js';

/**
 * The REST client for a Beebotte or sandbox profile. Secret keys come from the vault (or, for the
 * built-in sandbox profile, from the sandbox's demo account) and stay in this process.
 */
export async function restForProfile(s: Pick<CoreServices, 'profiles' | 'sandbox' | 'vault'>, profileId: string): Promise<BeebotteRest> {
  const profile = s.profiles.get(profileId);
  if (!profile) throw new ApiError('not_found', `no profile with id ${profileId}`);
  if (profile.kind === 'mqtt') throw new ApiError('invalid_params', `${profile.name} is a generic MQTT profile: it has no Beebotte REST API`);
  const base = profile.kind === 'sandbox' ? s.sandbox?.urls.http : BEEBOTTE_REST;
  if (!base) throw new ApiError('failed', 'the embedded sandbox is not running');
  if (profile.builtIn && s.sandbox?.demo) {
    return new BeebotteRest(base, { kind: 'keys', apiKey: s.sandbox.demo.apiKey, secretKey: s.sandbox.demo.secretKey });
  }
  const secret = await s.vault.read(profile.id);
  if (!secret) throw new ApiError('invalid_params', `${profile.name} has no credential stored`);
  if (profile.credentialType === 'secretKey') {
    if (!profile.apiKey) throw new ApiError('invalid_params', `${profile.name}: signed REST requests need the account's API key too — add it to the profile`);
    return new BeebotteRest(base, { kind: 'keys', apiKey: profile.apiKey, secretKey: secret });
  }
  return new BeebotteRest(base, { kind: 'token', token: secret });
}
