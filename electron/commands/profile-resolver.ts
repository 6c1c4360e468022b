import fs from 'node:fs';
import path from 'node:path';
import { credentialsForToken } from '../core/pairing/device-broker.js';
import { BeebotteRest } from '../core/beebotte/rest-client.js';
import { IamClient } from '../core/beebotte/iam-client.js';
import type { SecretStore } from '../core/platform.js';
import { BEEBOTTE_HOST, BEEBOTTE_REST, type Profile } from '../core/profiles/profile.js';
import { openHeadless } from '../core/headless.js';
import { defaultDataDir, packageRoot } from '../node-platform.js';
import type { ResolvedProfile } from './provision.js';

export interface ResolveOptions {
  /** default: APIARY_DATA_DIR or ~/.apiary */
  dataDir?: string;
  /** default: the OS keychain */
  secrets?: SecretStore;
  /** the Beebotte REST base a secret-key or IAM profile fetches the channel token from (default Beebotte's) */
  api?: string;
  /**
   * --device-token: no channel token; the profile's IAM client instead (`iam` in the answer), to mint a token
   * of the device's own once its name is known. Refused for a profile that cannot create IAM tokens.
   */
  deviceToken?: boolean;
}

/**
 * `--profile NAME` for device provisioning: the broker a device must reach and the credential it gets, from
 * the app's profile store and the keychain. A device only ever gets a channel token of its own channel: a
 * channel-token profile gives its token; a profile holding the account secret key or an IAM token — which must
 * never leave this process — gives the channel's token, fetched over REST with those credentials.
 */
export async function resolveProfileForDevice(
  name: string,
  channel: string,
  options: ResolveOptions = {},
): Promise<ResolvedProfile> {
  const core = openHeadless({
    dataDir: options.dataDir ?? defaultDataDir(),
    resourcesDir: path.join(packageRoot, 'resources'),
    ...(options.secrets ? { secrets: options.secrets } : {}),
  });
  const profile = core.profiles.findByName(name);
  if (!profile) throw new Error(`no profile named "${name}" (apiary profiles list shows them)`);
  const secret = await core.secretOf(profile);
  if (profile.kind === 'mqtt') {
    if (!profile.url) throw new Error(`profile "${name}" has no broker URL`);
    return {
      url: profile.url,
      username: (await core.usernameOf(profile)) ?? '',
      password: secret ?? '',
      ...(profile.caFile ? { ca: fs.readFileSync(profile.caFile, 'utf8') } : {}),
    };
  }
  if (profile.kind === 'sandbox')
    throw new Error('the built-in sandbox profile lives inside the running app: use --broker and --token with `apiary sandbox`');
  if (!secret) throw new Error(`profile "${name}" has no credential in the keychain`);
  const port = profile.port ?? 8883;
  if (options.deviceToken) {
    return {
      url: `${port === 1883 ? 'mqtt' : 'mqtts'}://${BEEBOTTE_HOST}:${port}`,
      username: '',
      password: '',
      iam: await iamClientOf(profile, secret, options.api),
      ...(port !== 1883 ? { ca: fs.readFileSync(path.join(packageRoot, 'resources', 'certs', 'beebotte-ca.pem'), 'utf8') } : {}),
    };
  }
  const token =
    (profile.credentialType ?? 'channelToken') === 'channelToken'
      ? secret
      : await channelToken(profile, secret, channel, options.api);
  return {
    url: `${port === 1883 ? 'mqtt' : 'mqtts'}://${BEEBOTTE_HOST}:${port}`,
    ...credentialsForToken(token),
    ...(port !== 1883 ? { ca: fs.readFileSync(path.join(packageRoot, 'resources', 'certs', 'beebotte-ca.pem'), 'utf8') } : {}),
  };
}

/** The profile's IAM client, when it may create tokens: the secret key, or an IAM token with admin:iam:write. */
async function iamClientOf(profile: Profile, secret: string, api = BEEBOTTE_REST): Promise<IamClient> {
  const refuse = (why: string) => new Error(`"${profile.name}" cannot give a device a token of its own: ${why}`);
  if (profile.credentialType === 'secretKey') {
    if (!profile.apiKey) throw refuse("signed requests need the account's API key in the profile");
    return new IamClient(new BeebotteRest(api, { kind: 'keys', apiKey: profile.apiKey, secretKey: secret }));
  }
  if (profile.credentialType !== 'iamToken')
    throw refuse('it holds a channel token (IAM tokens need the account secret key or an IAM token with admin:iam:write)');
  const rest = new BeebotteRest(api, { kind: 'token', token: secret });
  if (!(await IamClient.canManage(rest, secret)))
    throw refuse('its IAM token does not hold admin:iam:write (and admin:iam:read to tell)');
  return new IamClient(rest);
}

/** The channel's token over REST with the profile's account credentials (as the app's pairing wizard does). */
async function channelToken(profile: Profile, secret: string, channel: string, api = BEEBOTTE_REST): Promise<string> {
  const holds = profile.credentialType === 'secretKey' ? 'the account secret key' : 'an IAM token';
  const refuse = (why: string) =>
    new Error(
      `"${profile.name}" holds ${holds}, and a device gets only a channel token: ${why} — or give channel ${channel}'s token with --broker URL --token T`,
    );
  let rest: BeebotteRest;
  if (profile.credentialType === 'secretKey') {
    if (!profile.apiKey) throw refuse("fetching the channel's token needs the account's API key in the profile");
    rest = new BeebotteRest(api, { kind: 'keys', apiKey: profile.apiKey, secretKey: secret });
  } else {
    rest = new BeebotteRest(api, { kind: 'token', token: secret });
  }
  if (!rest.canAdmin) throw refuse('this credential cannot read channel tokens over REST');
  let token: string | undefined;
  try {
    token = (await rest.channel(channel)).token;
  } catch (err) {
    throw refuse(`fetching channel ${channel}'s token over REST failed (${(err as Error).message})`);
  }
  if (!token) throw refuse(`the server did not return a token for channel ${channel}`);
  return token;
}
