/**
 * What the network commands (pub, sub, profiles, channels, resources, token) share: their I/O, uniform error
 * handling, and turning connection flags (`--profile` or `--broker`/`--api` + a credential) into an MQTT
 * target or a REST client. Secrets come from flags, stdin, the environment or the keychain, and are never
 * written to stdout, stderr or an error message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { beebotteUsername, type CredentialType } from '../core/beebotte/credentials.js';
import { BeebotteRest, BeebotteRestError } from '../core/beebotte/rest-client.js';
import type { SecretStore } from '../core/platform.js';
import { buildSessionConfig } from '../core/profiles/connection.js';
import { BEEBOTTE_HOST, BEEBOTTE_REST, SANDBOX_PROFILE_ID, type Profile } from '../core/profiles/profile.js';
import { ProfileStore } from '../core/profiles/profile-store.js';
import { usernameOf } from '../core/profiles/secret-username.js';
import { describeConnectError } from '../core/session/errors.js';
import { KeytarSecretStore, Vault, VaultError } from '../core/vault/index.js';
import { packageRoot } from '../node-platform.js';

// ---------------------------------------------------------------------------------------------------------
// I/O and errors

export interface CommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
  /** Aborting it stops a running `sub` like Ctrl-C does (tests, embedders). */
  signal?: AbortSignal;
  /** The keychain; the OS keychain through keytar unless a test or embedder gives another store. */
  secrets?: SecretStore;
}

export function resolveIo(io: Partial<CommandIo> = {}): CommandIo {
  return {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    stdin: io.stdin ?? process.stdin,
    env: io.env ?? process.env,
    ...(io.signal ? { signal: io.signal } : {}),
    ...(io.secrets ? { secrets: io.secrets } : {}),
  };
}

/** An error the user can act on; `exitCode` 2 = bad usage, 1 = it did not work, 3 = timed out. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Runs a command body: prints `--help`, turns every failure into one line on stderr and an exit code. */
export async function runCli(
  name: string,
  help: string,
  argv: string[],
  io: CommandIo,
  body: () => Promise<number>,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${help}\n`);
    return 0;
  }
  try {
    return await body();
  } catch (err) {
    const { message, code } = explain(err);
    io.stderr.write(`apiary ${name}: ${message}${code === 2 ? `\n(apiary ${name} --help shows the options)` : ''}\n`);
    return code;
  }
}

function explain(err: unknown): { message: string; code: number } {
  if (err instanceof CliError) return { message: err.message, code: err.exitCode };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) return { message: (err as Error).message, code: 2 };
  if (err instanceof BeebotteRestError || err instanceof VaultError) return { message: err.message, code: 1 };
  return { message: err instanceof Error ? err.message : String(err), code: 1 };
}

/** node:util parseArgs, strict, with positionals. */
export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  return parseArgs({ args: argv, options, strict: true, allowPositionals: true });
}

export function usage(message: string): CliError {
  return new CliError(message, 2);
}

/** Reads stdin to its end (bounded) and returns the first line, trimmed: `echo $TOKEN | apiary … --token-stdin`. */
export async function readStdinLine(stdin: NodeJS.ReadableStream, what: string): Promise<string> {
  const limit = 64 * 1024;
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > limit) throw new CliError(`${what} on stdin is longer than ${limit} bytes`);
  }
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (!line) throw new CliError(`${what} was expected on stdin, but stdin was empty`);
  return line;
}

// ---------------------------------------------------------------------------------------------------------
// Profiles and the keychain

export const PROFILE_OPTIONS = {
  profile: { type: 'string' },
  data: { type: 'string' },
} as const;

export function dataDirOf(values: { data?: string | undefined }, env: NodeJS.ProcessEnv): string {
  return values.data || env.APIARY_DATA_DIR || path.join(os.homedir(), '.apiary');
}

export function openProfiles(dataDir: string): ProfileStore {
  return new ProfileStore(path.join(dataDir, 'profiles.json'));
}

export function openVault(io: CommandIo): Vault {
  return new Vault(io.secrets ?? new KeytarSecretStore());
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

/** The profile's secret from the vault; null when there is none (an "ask at connect" profile, say). */
async function profileSecret(profile: Profile, io: CommandIo): Promise<string | null> {
  return openVault(io).read(profile.id);
}

// ---------------------------------------------------------------------------------------------------------
// Credentials from flags, stdin and the environment

export const CREDENTIAL_OPTIONS = {
  token: { type: 'string' },
  'token-stdin': { type: 'boolean', default: false },
  'secret-key': { type: 'string' },
} as const;

type Credential =
  | { kind: 'beebotte'; type: CredentialType; secret: string }
  | { kind: 'userpass'; username: string; password?: string }
  | { kind: 'none' };

interface CredentialFlags {
  token?: string | undefined;
  'token-stdin'?: boolean | undefined;
  'secret-key'?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

/** Flags first, then `--token-stdin`, then APIARY_TOKEN / APIARY_SECRET_KEY / APIARY_PASSWORD. */
async function credentialFrom(values: CredentialFlags, io: CommandIo): Promise<Credential> {
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

const HINTS: Record<CredentialType | 'mqtt', string> = {
  channelToken: 'check the channel token (regenerated or mistyped?)',
  iamToken: 'check the IAM token and its rights',
  secretKey: 'check the account secret key',
  mqtt: 'check the username and password',
};

// ---------------------------------------------------------------------------------------------------------
// MQTT targets

export const MQTT_OPTIONS = {
  ...PROFILE_OPTIONS,
  ...CREDENTIAL_OPTIONS,
  broker: { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  'client-id': { type: 'string' },
} as const;

export const MQTT_FLAGS_HELP = `connection (one of):
  --profile NAME            a saved profile (apiary profiles list); --data DIR picks the data dir
  --broker URL              mqtt://host:1883, mqtts://host:8883, ws://…, wss://… (default with a Beebotte
                            credential: mqtts://${BEEBOTTE_HOST}:8883; with --profile: that profile's
                            credential against this address)
credential (or env APIARY_TOKEN, APIARY_SECRET_KEY, APIARY_PASSWORD):
  --token T | --token-stdin a Beebotte channel token (token_…, legacy) or IAM token (iamtkn_…)
  --secret-key K            a Beebotte account secret key
  --username U [--password W]   a generic broker's login
TLS:
  --ca FILE                 trust this CA (in addition to the system store)
  --insecure                skip certificate verification (unsafe; prints a warning)
  --client-id ID            default: a unique apiary-cli-… id`;

export interface MqttTarget {
  url: string;
  /** for messages: the host, never the credential */
  displayHost: string;
  credentialHint: string;
  /** Beebotte rules apply: topics channel/resource, the JSON envelope */
  beebotte: boolean;
  options: IClientOptions;
}

type MqttFlags = CredentialFlags & {
  profile?: string | undefined;
  data?: string | undefined;
  broker?: string | undefined;
  ca?: string | undefined;
  insecure?: boolean | undefined;
  'client-id'?: string | undefined;
};

export async function resolveMqttTarget(values: MqttFlags, io: CommandIo): Promise<MqttTarget> {
  const clientId = values['client-id'] || `apiary-cli-${randomBytes(4).toString('hex')}`;
  if (values.profile !== undefined) return profileTarget(values, io, clientId);
  const credential = await credentialFrom(values, io);
  const beebotte = credential.kind === 'beebotte';
  const broker = values.broker ?? (beebotte ? `mqtts://${BEEBOTTE_HOST}:8883` : undefined);
  if (!broker) throw usage('say where to connect: --broker URL (or --profile NAME)');
  const url = parseBrokerUrl(broker);
  const options: IClientOptions = { clientId, protocolVersion: 4 };
  if (credential.kind === 'beebotte') {
    options.username = beebotteUsername(credential.type, credential.secret);
    options.password = '';
  } else if (credential.kind === 'userpass') {
    options.username = credential.username;
    if (credential.password !== undefined) options.password = credential.password;
  }
  Object.assign(options, tlsFor(url, values, io));
  return {
    url: url.href,
    displayHost: url.host,
    credentialHint: credential.kind === 'beebotte' ? HINTS[credential.type] : HINTS.mqtt,
    beebotte,
    options,
  };
}

async function profileTarget(values: MqttFlags, io: CommandIo, clientId: string): Promise<MqttTarget> {
  const profile = findProfile(openProfiles(dataDirOf(values, io.env)), values.profile!);
  // an explicit credential (or the environment) wins: that is how an "ask at connect" profile gets its secret
  const override = await credentialFrom(values, io);
  let secret: string | null;
  if (override.kind === 'beebotte') secret = override.secret;
  else if (override.kind === 'userpass') secret = override.password ?? null;
  else secret = await profileSecret(profile, io);
  if (!secret && profile.kind !== 'mqtt') {
    throw new CliError(
      `profile "${profile.name}" has no credential in the keychain: pass it with --token-stdin or APIARY_TOKEN / APIARY_SECRET_KEY`,
    );
  }
  // a sandbox profile points at the app's embedded sandbox, which the command line does not run: --broker says where it is
  const broker = values.broker !== undefined ? parseBrokerUrl(values.broker) : undefined;
  if (profile.kind === 'sandbox' && !broker) {
    throw usage(
      `profile "${profile.name}" connects to the app's embedded sandbox: give its address with --broker (\`apiary sandbox --json\` prints it)`,
    );
  }
  // a generic profile's username may be a token kept in the keychain; --username replaces it
  const username = override.kind === 'userpass' ? undefined : await usernameOf(openVault(io), profile);
  const config = buildSessionConfig(profile, secret, {
    resourcesDir: path.join(packageRoot, 'resources'),
    ...(broker ? { sandbox: { mqtt: broker.href } } : {}),
    ...(username !== undefined ? { username } : {}),
  });
  const login: IClientOptions = {
    clientId: values['client-id'] || config.options.clientId || clientId,
    protocolVersion: config.options.protocolVersion ?? 4,
    ...(config.options.username !== undefined ? { username: config.options.username } : {}),
    ...(config.options.password !== undefined ? { password: config.options.password } : {}),
  };
  if (override.kind === 'userpass') login.username = override.username;
  if (override.kind === 'beebotte' && profile.kind !== 'mqtt') {
    // the given credential's own type decides the username (a secret key is not a token)
    login.username = beebotteUsername(override.type, override.secret);
    login.password = '';
  }
  const target = { credentialHint: config.credentialHint, beebotte: profile.kind !== 'mqtt' };
  if (broker) {
    // the profile's credential against another address (a sandbox, a staging broker); TLS from the flags
    return { ...target, url: broker.href, displayHost: broker.host, options: { ...login, ...tlsFor(broker, values, io) } };
  }
  const options: IClientOptions = { ...config.options, ...login }; // the profile's TLS settings stay
  if (values.ca || values.insecure) Object.assign(options, tlsFor(new URL(config.url), values, io));
  return { ...target, url: config.url, displayHost: config.displayHost, options };
}

function parseBrokerUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--broker "${text.slice(0, 80)}" is not a URL: use mqtt://host:1883 or mqtts://host:8883`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(url.protocol)) {
    throw usage(`--broker: unsupported scheme ${url.protocol} — use mqtt://, mqtts://, ws:// or wss://`);
  }
  if (url.username || url.password) throw usage('put the login in --username/--password (or env), not in the --broker URL');
  return url;
}

function isTls(url: URL): boolean {
  return ['mqtts:', 'wss:', 'ssl:'].includes(url.protocol);
}

function tlsFor(url: URL, values: MqttFlags, io: CommandIo): IClientOptions {
  if (!isTls(url)) {
    if (values.ca || values.insecure)
      io.stderr.write(`apiary: warning: --ca/--insecure ignored, ${url.protocol}// is not TLS (use mqtts://)\n`);
    return {};
  }
  const ca: Buffer[] = [];
  if (values.ca) ca.push(readFile(values.ca, '--ca'));
  if (url.hostname === BEEBOTTE_HOST)
    ca.push(readFile(path.join(packageRoot, 'resources', 'certs', 'beebotte-ca.pem'), "Beebotte's CA"));
  if (values.insecure)
    io.stderr.write(
      'apiary: warning: TLS certificate verification is off (--insecure): the credential could be read by anyone in between\n',
    );
  return {
    ...(ca.length ? { ca: [...ca, ...tls.rootCertificates.map((pem) => Buffer.from(pem))] } : {}),
    rejectUnauthorized: !values.insecure,
  };
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new CliError(`cannot read ${what} file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * One connection, no automatic reconnect: a rejected credential costs exactly one CONNECT (no retry storm)
 * and the reason comes back as a CliError built by describeConnectError.
 */
export function connectOnce(target: MqttTarget, timeoutMs = 10_000): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(target.url, { ...target.options, reconnectPeriod: 0, connectTimeout: timeoutMs, clean: true });
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      client.end(true);
      reject(new CliError(describeConnectError(err, target.displayHost, target.credentialHint)));
    };
    const closed = () => fail({ code: 'ECONNRESET' });
    client.on('error', fail);
    client.on('close', closed);
    client.once('connect', () => {
      if (settled) return;
      settled = true;
      client.off('error', fail);
      client.off('close', closed);
      resolve(client);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// REST targets

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
    const profile = findProfile(openProfiles(dataDirOf(values, io.env)), values.profile);
    if (profile.kind === 'mqtt') throw new CliError(`"${profile.name}" is a generic MQTT profile: it has no Beebotte REST API`);
    const secret = values['secret-key'] ?? (await profileSecret(profile, io));
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

/** JSON on one line for --json; pretty output is the human mode's job. */
export function jsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
