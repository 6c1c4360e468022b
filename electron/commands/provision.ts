/**
 * `apiary provision`: the pairing flow from the command line, for a batch of boards on a workbench.
 *   apiary provision --port PATH (--wifi-ssid S (--wifi-password P | --wifi-password-stdin) | --keep-wifi)
 *                    (--profile NAME | --broker URL --token T) --channel C --resource R
 *                    [--wait-first-message SECONDS] [--json]
 * Progress goes to stderr; with --json stdout gets exactly one JSON line with the result.
 * Exit 0 when paired (and for --help), 1 when a step failed, 2 for bad usage.
 */
import { provisionDevice, type FirstMessage, type ProvisionHooks, type ProvisionProgress } from '../core/pairing/flow.js';
import { credentialsForToken } from '../core/pairing/device-broker.js';
import { waitForFirstMessageOnBroker, type SubscriberTarget } from '../core/pairing/broker-first-message.js';
import type { DuplexPort } from '../core/pairing/improv-types.js';
import { pairingErrorTitle } from '../common/pairing-codes.js';
import type { OpenSerialOptions } from '../core/pairing/serial-port.js';
import { parseFlags, usage } from './cli-io.js';
import type { IamClient } from '../core/beebotte/iam-client.js';
import { mintDeviceToken, type MintedDeviceToken } from '../core/devices/device-token.js';

export interface ResolvedProfile {
  url: string;
  username: string;
  password: string;
  ca?: string;
  /** with --device-token: the profile's IAM client, to mint the device a token of its own */
  iam?: IamClient;
}

export interface ProvisionDeps {
  /**
   * the app's profile store; without it --profile cannot work. Given the channel, because a device gets only
   * that channel's token (fetched over REST when the profile holds the account secret key or an IAM token).
   */
  resolveProfile?: (name: string, channel: string, options?: { deviceToken?: boolean }) => Promise<ResolvedProfile>;
  /** for --profile: watch through the app's session instead of a subscriber of our own */
  waitForFirstMessage?: ProvisionHooks['waitForFirstMessage'];
  openPort?: (path: string, opts?: OpenSerialOptions) => Promise<DuplexPort>;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** where --token-env looks (default: the process's environment) */
  env?: NodeJS.ProcessEnv;
}

const USAGE =
  'usage: apiary provision --port PATH (--wifi-ssid S (--wifi-password P | --wifi-password-stdin) [--keep-mqtt] | --keep-wifi) ' +
  '(--profile NAME [--device-token] | --broker URL (--token-env VAR | --token T)) --channel C --resource R [--wait-first-message SECONDS] [--json]';

const HELP = `${USAGE}

Provision a board over USB serial: Improv Wi-Fi, then Beebotte credentials (Apiary firmware: the 0x80
MQTT extension; Tasmota: console commands), then wait for its first message on CHANNEL/RESOURCE.

  --port PATH                 the serial port (apiary devices lists them; a pty path works too)
  --wifi-ssid S               the Wi-Fi network the board joins
  --wifi-password P           its password (visible in the process list: prefer the next option)
  --wifi-password-stdin       read the Wi-Fi password from the first line of stdin
  --keep-mqtt                 Wi-Fi only: the board joins the new network and keeps the MQTT settings it has;
                              the broker, channel and resource say where to watch for its first message
                              (an Apiary board with no MQTT settings is refused, code no-mqtt)
  --keep-wifi                 MQTT settings only, no Wi-Fi flags: for a board that is already on Wi-Fi
                              (Improv state "provisioned") and needs a new channel token, e.g. after
                              \`apiary token regenerate\`; a board without Wi-Fi is refused (step handshake,
                              code no-wifi): it needs the full pairing
  --profile NAME              a saved profile: its broker, and a token of CHANNEL for the board (its own
                              channel token, or, for an account secret key or IAM token, the channel's
                              token fetched over REST: those never go to a device)
  --device-token              with --profile (the account secret key, or an IAM token with admin:iam:write):
                              the board gets an IAM token of its own instead — data read/write on CHANNEL
                              only, named after the board — revoked alone with \`apiary iam revoke ID\`;
                              its id and name are in the result (never its value); a failed pairing
                              revokes it again
  --broker URL --token-env VAR  or a broker (mqtt://host:1883, mqtts://host:8883) and the name of the
                              environment variable that holds the channel token (--token T also works,
                              but puts the token where ps and the shell history see it)
  --channel C --resource R    where the board publishes (the topic C/R)
  --wait-first-message SECONDS  0 = do not wait; default 60, counted from when the board has its MQTT settings
  --json                      one JSON line with the result on stdout
  --batch FILE                many boards from a CSV or JSON file: apiary provision --batch --help
  -h, --help                  this help

Exit status: 0 paired, 1 a step failed (the JSON names it), 2 bad usage.`;

interface Parsed {
  port: string;
  /** null: --keep-wifi (MQTT settings only) */
  ssid: string | null;
  /** --keep-mqtt: Wi-Fi only */
  keepMqtt: boolean;
  deviceToken: boolean;
  password: string | null; // null: read from stdin (or --keep-wifi)
  profile?: string;
  broker?: string;
  token?: string;
  channel: string;
  resource: string;
  waitSeconds: number;
  json: boolean;
}

/** --token-env VAR keeps the token out of the command line (ps, shell history); --token T is for quick tries. */
function tokenFrom(token: string | undefined, variable: string | undefined, env: NodeJS.ProcessEnv): string {
  if (token !== undefined && variable !== undefined) throw usage('give one of --token T or --token-env VAR');
  if (variable !== undefined) {
    const value = env[variable]?.trim();
    if (!value) throw usage(`--token-env ${variable}: that environment variable is not set or empty`);
    return value;
  }
  if (!token) throw usage('--broker needs the channel token: --token-env VAR (or --token T)');
  return token;
}

/** The flags one board and a batch share: the Wi-Fi network, where the data goes and with what, the wait, --json. */
export const BOARD_OPTIONS = {
  'wifi-ssid': { type: 'string' },
  'wifi-password-stdin': { type: 'boolean', default: false },
  'device-token': { type: 'boolean', default: false },
  profile: { type: 'string' },
  broker: { type: 'string' },
  token: { type: 'string' },
  'token-env': { type: 'string' },
  channel: { type: 'string' },
  resource: { type: 'string' },
  'wait-first-message': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

function parse(argv: string[], env: NodeJS.ProcessEnv): Parsed {
  const values = parseFlags(argv, {
    ...BOARD_OPTIONS,
    port: { type: 'string' },
    'wifi-password': { type: 'string' },
    'keep-wifi': { type: 'boolean', default: false },
    'keep-mqtt': { type: 'boolean', default: false },
  });
  const need = (name: keyof typeof values): string => {
    const v = values[name];
    if (typeof v !== 'string' || v === '') throw usage(`--${name} is required`);
    return v;
  };
  const port = need('port');
  const keepWifi = values['keep-wifi'] ?? false;
  const hasPw = values['wifi-password'] !== undefined;
  if (keepWifi) {
    if (values['wifi-ssid'] !== undefined || hasPw || values['wifi-password-stdin']) {
      throw usage('--keep-wifi sends MQTT settings only: leave out --wifi-ssid and the Wi-Fi password');
    }
  } else if (values['wifi-ssid'] === undefined) {
    throw usage('--wifi-ssid is required (or --keep-wifi for a board already on Wi-Fi)');
  }
  const keepMqtt = values['keep-mqtt'] ?? false;
  if (keepWifi && keepMqtt) throw usage('--keep-wifi and --keep-mqtt together leave nothing to send');
  const ssid = keepWifi ? null : need('wifi-ssid');
  if (!keepWifi && hasPw === values['wifi-password-stdin']) {
    throw usage('give exactly one of --wifi-password P or --wifi-password-stdin');
  }
  const hasProfile = values.profile !== undefined;
  const hasBroker = values.broker !== undefined || values.token !== undefined || values['token-env'] !== undefined;
  if (hasProfile === hasBroker) throw usage('give either --profile NAME or --broker URL --token T');
  const deviceToken = values['device-token'] ?? false;
  if (deviceToken && !hasProfile) throw usage('--device-token needs --profile NAME (a profile that may create IAM tokens)');
  if (deviceToken && keepMqtt) throw usage('--keep-mqtt sends no MQTT settings: no device token to give');
  const parsed: Parsed = {
    port,
    ssid,
    keepMqtt,
    deviceToken,
    password: hasPw ? values['wifi-password']! : null,
    channel: need('channel'),
    resource: need('resource'),
    waitSeconds: 60,
    json: values.json ?? false,
  };
  if (hasProfile) parsed.profile = need('profile');
  else {
    parsed.broker = need('broker');
    parsed.token = tokenFrom(values.token, values['token-env'], env);
  }
  if (values['wait-first-message'] !== undefined) {
    const n = Number(values['wait-first-message']);
    if (!Number.isFinite(n) || n < 0 || n > 3600) {
      throw usage('--wait-first-message takes seconds from 0 (do not wait) to 3600');
    }
    parsed.waitSeconds = n;
  }
  return parsed;
}

const VALUE_FLAGS = new Set([
  '--port',
  '--wifi-ssid',
  '--wifi-password',
  '--profile',
  '--broker',
  '--token',
  '--channel',
  '--resource',
  '--wait-first-message',
]);

/** `--help` / `-h` as a flag, not as the value of one (`--wifi-password -h` is a password). */
function wantsHelp(argv: string[]): boolean {
  return argv.some((a, i) => (a === '--help' || a === '-h') && !VALUE_FLAGS.has(argv[i - 1] ?? ''));
}

/** The first line of stdin (bounded, 1 KiB), without its line ending. */
export function readSecretLine(stdin: NodeJS.ReadableStream, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err: Error | null) => {
      clearTimeout(timer);
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.removeListener('error', onEnd);
      stdin.pause();
      if (err) reject(err);
      else resolve(text.replace(/\r?\n[\s\S]*$/, '').replace(/\r$/, ''));
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n') || text.length > 1024) done(null);
    };
    const onEnd = () => done(null);
    const timer = setTimeout(() => done(usage('no Wi-Fi password on stdin')), timeoutMs);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.once('error', onEnd);
    stdin.resume();
  });
}

export async function runProvisionCommand(argv: string[], deps: ProvisionDeps = {}): Promise<number> {
  // a batch of boards: a loop over this command, in its own file
  if (argv.includes('--batch')) return (await import('./provision-batch.js')).runProvisionBatch(argv, deps);
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  if (wantsHelp(argv)) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const json = argv.includes('--json');
  const usage = (message: string) => {
    err.write(`apiary provision: ${message}\n${USAGE}\n`);
    if (json) out.write(`${JSON.stringify({ ok: false, step: 'usage', code: 'usage', error: message })}\n`);
    return 2;
  };

  let args: Parsed;
  let password: string;
  try {
    args = parse(argv, deps.env ?? process.env);
    password = args.ssid === null ? '' : (args.password ?? (await readSecretLine(deps.stdin ?? process.stdin)));
  } catch (e) {
    return usage((e as Error).message);
  }

  let deviceBroker: { url: string; username: string; password: string };
  let waitForFirstMessage: ProvisionHooks['waitForFirstMessage'];
  let iam: IamClient | undefined;
  let minted: MintedDeviceToken | undefined;
  if (args.profile !== undefined) {
    if (!deps.resolveProfile) return usage("--profile needs the app's profile store");
    let profile: ResolvedProfile;
    try {
      profile = await deps.resolveProfile(args.profile, args.channel, args.deviceToken ? { deviceToken: true } : {});
    } catch (e) {
      return usage(`profile "${args.profile}": ${(e as Error).message}`);
    }
    if (args.deviceToken && !profile.iam) return usage(`profile "${args.profile}" cannot create a device token`);
    iam = profile.iam;
    deviceBroker = { url: profile.url, username: profile.username, password: profile.password };
    waitForFirstMessage =
      deps.waitForFirstMessage ??
      ((c, r, ms, signal, armed) => waitForFirstMessageOnBroker(withCa(deviceBroker, profile.ca), c, r, ms, signal, armed));
  } else {
    deviceBroker = { url: args.broker!, ...credentialsForToken(args.token!) };
    waitForFirstMessage = (c, r, ms, signal, armed) => waitForFirstMessageOnBroker(deviceBroker, c, r, ms, signal, armed);
  }

  const hooks: ProvisionHooks = {
    waitForFirstMessage,
    onProgress: (p) => err.write(`${progressLine(p)}\n`),
  };
  if (deps.openPort) hooks.openPort = deps.openPort;

  const result = await provisionDevice(
    {
      portPath: args.port,
      serial: { owner: 'apiary provision' },
      wifi: args.ssid === null ? 'keep' : { ssid: args.ssid, password },
      ...(args.keepMqtt ? { mqtt: 'keep' as const } : {}),
      broker: deviceBroker,
      ...(iam
        ? {
            // minted once the board's name is known; the first-message watcher then logs in with it too
            credentialsFor: async (device: { name: string }) => {
              minted = await mintDeviceToken(iam!, device, args.channel, args.resource);
              err.write(`→ device token: ${minted.name} (id ${minted.id}), data on ${args.channel} only\n`);
              Object.assign(deviceBroker, credentialsForToken(minted.token));
              return credentialsForToken(minted.token);
            },
          }
        : {}),
      channel: args.channel,
      resource: args.resource,
      firstMessageTimeoutMs: Math.round(args.waitSeconds * 1000),
    },
    hooks,
  );

  if (!result.ok && minted && iam) {
    // the board did not take it: no token of nobody's stays in the account
    const id = minted.id;
    await iam
      .revoke(id)
      .catch((e: Error) =>
        err.write(`apiary provision: warning: device token ${id} not revoked (${e.message}): apiary iam revoke ${id}\n`),
      );
  }
  if (result.ok) {
    err.write(`paired ${result.device.name} on ${result.port}${describeFirst(result.firstMessage)}\n`);
    if (result.deviceUrl) err.write(`device page: ${result.deviceUrl}\n`);
  } else {
    err.write(`✗ ${result.step}: ${pairingErrorTitle(result.code)} — ${result.error}\n`);
    if (result.deviceLog?.length) err.write(`device log:\n  ${result.deviceLog.slice(-5).join('\n  ')}\n`);
  }
  const token = result.ok && minted ? { iamToken: { id: minted.id, name: minted.name } } : {};
  if (json) out.write(`${JSON.stringify({ ...result, ...token })}\n`);
  return result.ok ? 0 : 1;
}

function withCa(t: SubscriberTarget, ca: string | undefined): SubscriberTarget {
  return ca ? { ...t, ca } : t;
}

function progressLine(p: ProvisionProgress): string {
  const mark = p.status === 'start' ? '→' : '✓';
  return `${mark} ${p.step}${p.detail ? `: ${p.detail}` : ''}`;
}

function describeFirst(m: FirstMessage | null): string {
  if (!m) return '';
  return `: first message on ${m.topic}: ${JSON.stringify(m.payload).slice(0, 120)}`;
}
