/**
 * `--profile` or `--broker` + a credential → an MQTT target (URL, login, TLS), and one connection to it with no
 * retry storm. A profile's own settings come from the core's headless side, as the app connects with them.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { beebotteUsername } from '../core/beebotte/credentials.js';
import { BEEBOTTE_HOST } from '../core/profiles/profile.js';
import { describeConnectError } from '../core/session/errors.js';
import { packageRoot } from '../node-platform.js';
import { CliError, usage, type CommandIo } from './cli-io.js';
import {
  CREDENTIAL_OPTIONS,
  HINTS,
  PROFILE_OPTIONS,
  credentialFrom,
  findProfile,
  headlessFor,
  type CredentialFlags,
} from './credential-flags.js';

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
  const core = headlessFor(values, io);
  const profile = findProfile(core.profiles, values.profile!);
  // an explicit credential (or the environment) wins: that is how an "ask at connect" profile gets its secret
  const override = await credentialFrom(values, io);
  let secret: string | null;
  if (override.kind === 'beebotte') secret = override.secret;
  else if (override.kind === 'userpass') secret = override.password ?? null;
  else secret = await core.secretOf(profile);
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
  const username = override.kind === 'userpass' ? undefined : await core.usernameOf(profile);
  const config = core.sessionConfig(profile, secret, {
    ...(broker ? { broker: broker.href } : {}),
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
