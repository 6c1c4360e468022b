/**
 * Where a command's credential comes from: a saved profile (its secret in the keychain), or flags, stdin and the
 * environment. Secrets are never written to stdout, stderr or an error message.
 */
import os from 'node:os';
import path from 'node:path';
import type { CredentialType } from '../core/beebotte/credentials.js';
import { SANDBOX_PROFILE_ID, type Profile } from '../core/profiles/profile.js';
import type { ProfileStore } from '../core/profiles/profile-store.js';
import { openHeadless, type Headless } from '../core/headless.js';
import { packageRoot } from '../node-platform.js';
import { CliError, readStdinLine, usage, type CommandIo } from './cli-io.js';

export const PROFILE_OPTIONS = {
  profile: { type: 'string' },
  data: { type: 'string' },
} as const;

export function dataDirOf(values: { data?: string | undefined }, env: NodeJS.ProcessEnv): string {
  return values.data || env.APIARY_DATA_DIR || path.join(os.homedir(), '.apiary');
}

/** The core's headless side for this command: the data dir's profiles, the keychain, a profile's connection. */
export function headlessFor(values: { data?: string | undefined }, io: CommandIo): Headless {
  return openHeadless({
    dataDir: dataDirOf(values, io.env),
    resourcesDir: path.join(packageRoot, 'resources'),
    ...(io.secrets ? { secrets: io.secrets } : {}),
  });
}

/** The data dir's profiles alone (commands that need no secret). */
export function openProfiles(dataDir: string): ProfileStore {
  return openHeadless({ dataDir, resourcesDir: path.join(packageRoot, 'resources') }).profiles;
}

export function findProfile(store: ProfileStore, name: string): Profile {
  const profile = store.findByName(name);
  if (profile) return profile;
  if (name === SANDBOX_PROFILE_ID) {
    throw new CliError(
      'the built-in sandbox profile exists only inside the app: run `apiary sandbox --json` and use --broker/--api with its URLs and the demo credentials',
    );
  }
  const names = store.list().map((p) => p.name);
  throw new CliError(
    `no profile named "${name}"${names.length ? ` (profiles: ${names.join(', ')})` : ': add one with `apiary profiles add`'}`,
  );
}

export const CREDENTIAL_OPTIONS = {
  token: { type: 'string' },
  'token-stdin': { type: 'boolean', default: false },
  'secret-key': { type: 'string' },
} as const;

export type Credential =
  | { kind: 'beebotte'; type: CredentialType; secret: string }
  | { kind: 'userpass'; username: string; password?: string }
  | { kind: 'none' };

export interface CredentialFlags {
  token?: string | undefined;
  'token-stdin'?: boolean | undefined;
  'secret-key'?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/** Flags first, then `--token-stdin`, then APIARY_TOKEN / APIARY_SECRET_KEY / APIARY_PASSWORD. */
export async function credentialFrom(values: CredentialFlags, io: CommandIo): Promise<Credential> {
  const given = [
    values.token !== undefined || values['token-stdin'],
    values['secret-key'] !== undefined,
    values.username !== undefined,
  ];
  if (given.filter(Boolean).length > 1) throw usage('give one credential: --token, --secret-key or --username/--password');
  if (values.token !== undefined && values['token-stdin']) throw usage('--token and --token-stdin exclude each other');
  if (values.password !== undefined && values.username === undefined) throw usage('--password needs --username');
  let token = values.token;
  if (values['token-stdin']) token = await readStdinLine(io.stdin, 'the token');
  if (token !== undefined) return { kind: 'beebotte', type: tokenType(token), secret: nonEmpty(token, '--token') };
  if (values['secret-key'] !== undefined)
    return { kind: 'beebotte', type: 'secretKey', secret: nonEmpty(values['secret-key'], '--secret-key') };
  if (values.username !== undefined) {
    const password = values.password ?? io.env.APIARY_PASSWORD;
    return { kind: 'userpass', username: values.username, ...(password ? { password } : {}) };
  }
  if (io.env.APIARY_TOKEN) return { kind: 'beebotte', type: tokenType(io.env.APIARY_TOKEN), secret: io.env.APIARY_TOKEN };
  if (io.env.APIARY_SECRET_KEY) return { kind: 'beebotte', type: 'secretKey', secret: io.env.APIARY_SECRET_KEY };
  return { kind: 'none' };
}

function tokenType(token: string): CredentialType {
  return token.startsWith('iamtkn_') ? 'iamToken' : 'channelToken';
}

function nonEmpty(value: string, flag: string): string {
  if (!value.trim()) throw usage(`${flag} is empty`);
  return value.trim();
}

export const HINTS: Record<CredentialType | 'mqtt', string> = {
  channelToken: 'check the channel token (regenerated or mistyped?)',
  iamToken: 'check the IAM token and its rights',
  secretKey: 'check the account secret key',
  mqtt: 'check the username and password',
};
