/**
 * `apiary profiles list|add|remove|show` — the same profiles.json and keychain entries as the app.
 * Secrets are prompted without echo, or read from --secret-stdin or the environment; `show` and `list`
 * only ever say whether a secret is stored (hasSecret).
 */
import { Writable } from 'node:stream';
import readline from 'node:readline';
import { ProfileInput, type ProfileDTO } from '../api.js';
import { checkProfile, normalizeProfile, type Profile } from '../core/profiles/profile.js';
import type { ProfileStore } from '../core/profiles/profile-store.js';
import { applyUsername, migrateTokenUsernames, planUsername, toProfileDTO } from '../core/profiles/secret-username.js';
import { usernameSlot, type Vault } from '../core/vault/index.js';
import { CliError, type CommandIo, jsonLine, parse, readStdinLine, resolveIo, runCli, usage, noMoreArgs } from './cli-io.js';
import { findProfile, headlessFor } from './credential-flags.js';

export const profilesHelp = `usage: apiary profiles <list|add|remove|show> [options] [--data DIR] [--json]
  list                     the saved profiles
  show NAME                one profile (never its secret: only whether one is stored)
  remove NAME              delete the profile and its secret in the keychain
  add --name NAME --kind beebotte|mqtt [options]
    beebotte: --port 8883|1883  --credential-type channelToken|iamToken|secretKey  --api-key K
    mqtt:     --url mqtt://host:1883|mqtts://…  --username U  --protocol 4|5
              (a username that is a Beebotte token, token_…/iamtkn_…, is a secret: kept in the keychain)
    both:     --client-id ID  --ca FILE  --cert FILE  --key FILE  --insecure  --subscribe FILTER (repeatable)
    the secret (token, secret key or password), in this order:
      --secret-stdin           first line of stdin
      env APIARY_TOKEN / APIARY_SECRET_KEY / APIARY_PASSWORD (by credential type)
      a prompt (no echo) when stdin is a terminal
      --ask                    store none: the app asks for it at connect
  --data DIR                the data dir (default ~/.apiary, or APIARY_DATA_DIR)
  --json                    machine output`;

const OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
  name: { type: 'string' },
  kind: { type: 'string' },
  url: { type: 'string' },
  port: { type: 'string' },
  'credential-type': { type: 'string' },
  'api-key': { type: 'string' },
  username: { type: 'string' },
  'client-id': { type: 'string' },
  protocol: { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  subscribe: { type: 'string', multiple: true },
  'secret-stdin': { type: 'boolean', default: false },
  ask: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function runProfilesCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('profiles', profilesHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [action, name, ...extra] = positionals;
    noMoreArgs(extra);
    const { profiles: store, vault } = headlessFor(values, io);
    // as the app does at start: token usernames an older version wrote to profiles.json go to the keychain
    await migrateTokenUsernames(store, vault, {
      info: (m) => io.stderr.write(`apiary profiles: ${m}\n`),
      warn: (m) => io.stderr.write(`apiary profiles: warning: ${m}\n`),
    });
    switch (action) {
      case 'list':
        return list(store, vault, values.json, io);
      case 'show':
        return show(store, vault, need(name, 'show'), values.json, io);
      case 'remove':
        return remove(store, vault, need(name, 'remove'), values.json, io);
      case 'add':
        if (name) throw usage('add takes --name NAME, not a positional name');
        return add(store, vault, values, io);
      default:
        throw usage(
          action
            ? `unknown action "${action.slice(0, 40)}": use list, add, remove or show`
            : 'say what to do: list, add, remove or show',
        );
    }
  });
}

function need(name: string | undefined, action: string): string {
  if (!name) throw usage(`${action} needs a profile name`);
  return name;
}

function toDto(profile: Profile, vault: Vault): Promise<ProfileDTO> {
  return toProfileDTO(vault, profile);
}

async function list(store: ProfileStore, vault: Vault, json: boolean, io: CommandIo): Promise<number> {
  const profiles = await Promise.all(store.list().map((p) => toDto(p, vault)));
  if (json) {
    io.stdout.write(jsonLine(profiles));
    return 0;
  }
  if (!profiles.length) {
    io.stdout.write('no profiles yet: apiary profiles add --name NAME --kind beebotte|mqtt …\n');
    return 0;
  }
  for (const p of profiles) {
    io.stdout.write(
      `${p.name.padEnd(20)} ${p.kind.padEnd(9)} ${where(p).padEnd(36)} ${p.credentialType ?? (p.usernameIsSecret ? 'token username' : p.username ? 'password' : 'anonymous')}${p.hasSecret ? '' : ' (no secret stored)'}\n`,
    );
  }
  return 0;
}

function where(p: Profile): string {
  if (p.kind === 'mqtt') return p.url ?? '';
  if (p.kind === 'beebotte') return `mqtt.beebotte.com:${p.port ?? 8883}`;
  return 'the embedded sandbox';
}

async function show(store: ProfileStore, vault: Vault, name: string, json: boolean, io: CommandIo): Promise<number> {
  const dto = await toDto(findProfile(store, name), vault);
  if (json) {
    io.stdout.write(jsonLine(dto));
    return 0;
  }
  for (const [key, value] of Object.entries(dto)) {
    io.stdout.write(`${key.padEnd(16)} ${Array.isArray(value) ? value.join(', ') : String(value)}\n`);
  }
  return 0;
}

async function remove(store: ProfileStore, vault: Vault, name: string, json: boolean, io: CommandIo): Promise<number> {
  const profile = findProfile(store, name);
  // the secret first: when the keychain is locked the profile stays, so the user can retry and leaves nothing behind
  const hadSecret = await vault.forget(profile.id);
  const hadUsername = await vault.forget(usernameSlot(profile.id));
  store.remove(profile.id);
  if (json)
    io.stdout.write(
      jsonLine({
        removed: profile.name,
        id: profile.id,
        secretDeleted: hadSecret,
        ...(profile.usernameIsSecret ? { usernameDeleted: hadUsername } : {}),
      }),
    );
  else
    io.stdout.write(
      `removed profile ${profile.name}${hadSecret ? ' and its secret' : ''}${hadUsername ? `${hadSecret ? ' and' : ' and its'} token username` : ''}\n`,
    );
  return 0;
}

async function add(store: ProfileStore, vault: Vault, values: Values, io: CommandIo): Promise<number> {
  const input = toInput(values);
  if (store.findByName(input.name))
    throw new CliError(`a profile named "${input.name}" already exists: remove it first or pick another name`);
  const normalized = normalizeProfile(input, store.newId());
  const problem = checkProfile(normalized);
  if (problem) throw usage(problem);
  // a Beebotte token as the username is a secret: the keychain keeps it, profiles.json only says so
  const { profile, change } = planUsername(normalized, input);
  if (change.kind === 'store' && values.ask) {
    throw usage(
      '--ask keeps secrets for one run of the app, and a username cannot be asked at connect: drop --ask to keep this token username in the keychain',
    );
  }
  const secret = values.ask ? null : await secretFor(profile, values, io);
  if (!secret && profile.kind !== 'mqtt' && !values.ask) {
    throw usage(
      'a Beebotte profile needs its credential: --secret-stdin, APIARY_TOKEN/APIARY_SECRET_KEY, a terminal prompt, or --ask',
    );
  }
  // the secrets before the profile: a keychain failure leaves nothing half-made
  if (secret) await vault.save(profile.id, secret, 'keychain');
  try {
    await applyUsername(vault, profile, change);
    store.put(profile);
  } catch (err) {
    if (secret) await vault.forget(profile.id).catch(() => false);
    if (change.kind === 'store') await vault.forget(usernameSlot(profile.id)).catch(() => false);
    throw err;
  }
  const dto = await toDto(profile, vault);
  if (values.json) io.stdout.write(jsonLine(dto));
  else
    io.stdout.write(
      `added profile ${profile.name} (${profile.id})${dto.hasSecret ? ', secret in the keychain' : values.ask ? ', secret asked at connect' : ''}${dto.usernameIsSecret ? ', token username in the keychain' : ''}\n`,
    );
  return 0;
}

/** Flags → a ProfileInput, checked by the same schema the app's API uses. */
function toInput(values: Values): ProfileInput {
  if (!values.name) throw usage('add needs --name NAME');
  if (values.kind !== 'beebotte' && values.kind !== 'mqtt') throw usage('add needs --kind beebotte or --kind mqtt');
  const raw: Record<string, unknown> = { name: values.name, kind: values.kind };
  if (values.url !== undefined) raw.url = values.url;
  if (values.port !== undefined) raw.port = Number(values.port);
  if (values['credential-type'] !== undefined) raw.credentialType = values['credential-type'];
  if (values['api-key'] !== undefined) raw.apiKey = values['api-key'];
  if (values.username !== undefined) raw.username = values.username;
  if (values['client-id'] !== undefined) raw.clientId = values['client-id'];
  if (values.protocol !== undefined) raw.protocolVersion = Number(values.protocol);
  if (values.ca !== undefined) raw.caFile = values.ca;
  if (values.cert !== undefined) raw.certFile = values.cert;
  if (values.key !== undefined) raw.keyFile = values.key;
  if (values.insecure) raw.verifyTls = false;
  if (values.subscribe) raw.subscriptions = values.subscribe;
  if (values.ask) raw.secretMode = 'ask';
  if (values.kind === 'mqtt' && values.url && /^(mqtts|wss|ssl):/.test(values.url)) raw.tls = true;
  const parsed = ProfileInput.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = FLAG_OF[String(issue.path[0])] ?? String(issue.path[0] ?? 'input');
    throw usage(`${flag}: ${issue.message}`);
  }
  return parsed.data;
}

const FLAG_OF: Record<string, string> = {
  name: '--name',
  kind: '--kind',
  url: '--url',
  port: '--port',
  credentialType: '--credential-type (channelToken, iamToken or secretKey)',
  apiKey: '--api-key',
  username: '--username',
  clientId: '--client-id',
  protocolVersion: '--protocol (4 or 5)',
  caFile: '--ca',
  certFile: '--cert',
  keyFile: '--key',
  subscriptions: '--subscribe',
};

async function secretFor(profile: Profile, values: Values, io: CommandIo): Promise<string | null> {
  if (values['secret-stdin']) return readStdinLine(io.stdin, 'the secret');
  const fromEnv =
    profile.kind === 'mqtt'
      ? io.env.APIARY_PASSWORD
      : profile.credentialType === 'secretKey'
        ? io.env.APIARY_SECRET_KEY
        : io.env.APIARY_TOKEN;
  if (fromEnv) return fromEnv;
  if (!io.stdin.isTTY) return null;
  if (profile.kind === 'mqtt' && !profile.username) return null; // anonymous: nothing to ask
  const what =
    profile.kind === 'mqtt'
      ? 'password'
      : profile.credentialType === 'secretKey'
        ? 'account secret key'
        : profile.credentialType === 'iamToken'
          ? 'IAM token'
          : 'channel token';
  const answer = await promptHidden(`${what} for ${profile.name} (not shown): `, io);
  return answer || null;
}

/** Asks on stderr and reads one line from a terminal without echoing it. */
function promptHidden(question: string, io: CommandIo): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) io.stderr.write(chunk.toString());
      callback();
    },
  });
  const rl = readline.createInterface({ input: io.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      io.stderr.write('\n');
      resolve(answer.trim());
    });
    muted = true; // the question is out; what the user types is not
  });
}
