/** `--profile` or `--api` + account credentials → a Beebotte REST client (signed with the secret key, or an IAM token). */
import { BeebotteRest } from '../core/beebotte/rest-client.js';
import { BEEBOTTE_REST } from '../core/profiles/profile.js';
import { CliError, usage, type CommandIo } from './cli-io.js';
import {
  CREDENTIAL_OPTIONS,
  PROFILE_OPTIONS,
  credentialFrom,
  findProfile,
  headlessFor,
  type CredentialFlags,
} from './credential-flags.js';

export const REST_OPTIONS = {
  ...PROFILE_OPTIONS,
  ...CREDENTIAL_OPTIONS,
  api: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

export const REST_FLAGS_HELP = `account (one of):
  --profile NAME            a saved Beebotte profile (its API key + secret key, or an IAM token)
  --api URL                 REST base (default ${BEEBOTTE_REST}; the sandbox: its http:// URL)
    with --api-key K --secret-key S   signed requests (or env APIARY_API_KEY, APIARY_SECRET_KEY)
    or   --token T | --token-stdin    an IAM token with admin rights (or env APIARY_TOKEN)
  --data DIR                the data dir that holds the profiles (default ~/.apiary or APIARY_DATA_DIR)`;

type RestFlags = CredentialFlags & {
  profile?: string | undefined;
  data?: string | undefined;
  api?: string | undefined;
  'api-key'?: string | undefined;
};

export async function resolveRest(values: RestFlags, io: CommandIo): Promise<BeebotteRest> {
  const api = values.api ? parseApiUrl(values.api) : BEEBOTTE_REST;
  if (values.profile !== undefined) {
    const core = headlessFor(values, io);
    const profile = findProfile(core.profiles, values.profile);
    if (profile.kind === 'mqtt') throw new CliError(`"${profile.name}" is a generic MQTT profile: it has no Beebotte REST API`);
    const secret = values['secret-key'] ?? (await core.secretOf(profile));
    if (!secret) throw new CliError(`profile "${profile.name}" has no credential in the keychain`);
    if (profile.credentialType === 'secretKey' || values['secret-key']) {
      const apiKey = values['api-key'] ?? profile.apiKey;
      if (!apiKey)
        throw new CliError(
          `profile "${profile.name}": signed requests need the account's API key too (--api-key, or add it to the profile)`,
        );
      return new BeebotteRest(api, { kind: 'keys', apiKey, secretKey: secret });
    }
    return new BeebotteRest(api, { kind: 'token', token: secret });
  }
  const credential = await credentialFrom(values, io);
  if (credential.kind === 'beebotte' && credential.type === 'secretKey') {
    const apiKey = values['api-key'] ?? io.env.APIARY_API_KEY;
    if (!apiKey) throw usage('--secret-key needs --api-key (the account API key) for signed requests');
    return new BeebotteRest(api, { kind: 'keys', apiKey, secretKey: credential.secret });
  }
  if (credential.kind === 'beebotte') return new BeebotteRest(api, { kind: 'token', token: credential.secret });
  throw usage('give account credentials: --api-key K --secret-key S, --token T, or --profile NAME');
}

function parseApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--api "${text.slice(0, 80)}" is not a URL: e.g. https://api.beebotte.com or http://127.0.0.1:8080`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw usage(`--api must be http:// or https://, not ${url.protocol}//`);
  return url.origin;
}
