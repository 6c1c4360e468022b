/**
 * What a device paired from the desk connects with: the profile's broker and a channel token of the chosen
 * channel — never the account secret key or the profile's IAM token, which stay in this process. (A device
 * token of its own, when the profile may mint one, comes from device-token.ts.)
 */
import { ApiError } from '../../api.js';
import type { BeebotteRest } from '../beebotte/rest-client.js';
import type { Profile } from '../profiles/profile.js';
import { BEEBOTTE_HOST } from '../profiles/profile.js';
import { credentialsForToken, type DeviceBroker } from '../pairing/device-broker.js';

/** A device's broker, and whether its token is the profile's own channel token (a refused subscription then means another channel's). */
export interface ProfileDeviceBroker extends DeviceBroker {
  fromProfile: boolean;
}

export interface CredentialDeps {
  secret(profileId: string): Promise<string | null>;
  /** a generic profile's username, from the vault when it carries a token (secret-username.ts usernameOf) */
  username?: (profile: Profile) => Promise<string | undefined>;
  sandboxMqtt?: () => string | undefined;
  /** the profile's Beebotte REST client, to fetch a channel's token when the profile holds account credentials */
  rest?: (profileId: string) => Promise<Pick<BeebotteRest, 'canAdmin' | 'channel'>>;
}

/** Where the device must connect, and with what: the profile's broker and a channel token of `channel`. */
export async function deviceBrokerFor(
  deps: CredentialDeps,
  profile: Profile,
  channel: string,
  typed: string | undefined,
): Promise<ProfileDeviceBroker> {
  if (profile.kind === 'mqtt') {
    return {
      url: profile.url!,
      username: (deps.username ? await deps.username(profile) : profile.username) ?? '',
      password: (await deps.secret(profile.id)) ?? '',
      fromProfile: false,
    };
  }
  const { token, fromProfile } = await channelToken(deps, profile, channel, typed);
  return { url: beebotteDeviceUrl(deps, profile), ...credentialsForToken(token), fromProfile };
}

/** Where a device of a Beebotte or sandbox profile connects: the profile's port on Beebotte, or the sandbox. */
export function beebotteDeviceUrl(deps: Pick<CredentialDeps, 'sandboxMqtt'>, profile: Profile): string {
  const port = profile.port ?? 8883;
  const url = profile.kind === 'sandbox' ? deps.sandboxMqtt?.() : `${port === 1883 ? 'mqtt' : 'mqtts'}://${BEEBOTTE_HOST}:${port}`;
  if (!url) throw new ApiError('failed', 'the embedded sandbox is not running');
  return url;
}

/**
 * A device only ever gets a channel token of its own channel: the typed one, the profile's own channel
 * token, or — for a profile holding the account secret key or an IAM token, which must never leave this
 * process — the channel's token fetched over REST with those credentials (as account.copyToken does).
 */
async function channelToken(
  deps: CredentialDeps,
  profile: Profile,
  channel: string,
  typed: string | undefined,
): Promise<{ token: string; fromProfile: boolean }> {
  const type = profile.credentialType ?? 'channelToken';
  const secret = await deps.secret(profile.id);
  if (typed) {
    if (type !== 'channelToken' && secret && bare(typed) === bare(secret)) {
      throw new ApiError(
        'invalid_params',
        `that is ${profile.name}'s own account credential, not a channel token: a device gets only the token of channel ${channel}`,
      );
    }
    return { token: typed, fromProfile: false };
  }
  if (type === 'channelToken') {
    if (!secret)
      throw new ApiError('invalid_params', `${profile.name} has no channel token to give the device: type channel ${channel}'s token`);
    return { token: secret, fromProfile: true };
  }
  const holds = type === 'secretKey' ? 'the account secret key' : 'an IAM token';
  const refuse = (why: string) =>
    new ApiError('invalid_params', `${profile.name} holds ${holds}; a device gets only a channel token: type channel ${channel}'s token${why}`);
  if (!deps.rest) throw refuse('');
  let token: string | undefined;
  let rest: Awaited<ReturnType<NonNullable<CredentialDeps['rest']>>>;
  try {
    rest = await deps.rest(profile.id);
  } catch (err) {
    throw refuse(`, or fix the profile so Apiary can fetch it (${(err as Error).message})`);
  }
  if (!rest.canAdmin) throw refuse(' (this credential cannot read channel tokens over REST)');
  try {
    token = (await rest.channel(channel)).token;
  } catch (err) {
    throw refuse(` (fetching it over REST failed: ${(err as Error).message})`);
  }
  if (!token) throw refuse(` (the server did not return a token for ${channel}: this credential may read channels but not their tokens)`);
  return { token, fromProfile: false };
}

/** A token without the legacy `token:` prefix. */
function bare(token: string): string {
  return token.startsWith('token:') ? token.slice(6) : token;
}
