/**
 * `apiary connections list|drop USERID|watch` — who is connected to a Beebotte account (REST `/v1/connections`,
 * account credentials or an IAM token with admin:connection:read/write), dropping one, and watching connects and
 * disconnects as they happen: live from the account's `signaling/#` over MQTT when the broker is known (a saved
 * Beebotte profile, or --broker), else by polling the list — the watcher the desk runs (core/account/presence-watcher.ts).
 */
import type { ConnectionDTO, ConnectionsSnapshot, PresenceEventDTO } from '../api.js';
import { PresenceWatcher, type SignalingEndpoint } from '../core/account/presence-watcher.js';
import { dropConnection, listConnections } from '../core/beebotte/connections-client.js';
import { beebotteUsername } from '../core/beebotte/credentials.js';
import { type CommandIo, CliError, jsonLine, parse, resolveIo, runCli, usage, actionOf, noMoreArgs } from './cli-io.js';
import { credentialFrom, findProfile, headlessFor } from './credential-flags.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';

export const connectionsHelp = `usage: apiary connections <list|drop USERID|watch> [account] [--json]
  list              who is connected now: client id, protocol, channel (of a channel token), client IP, since
  drop USERID       close every connection of that client id (Beebotte's userid); a device that reconnects by
                    itself comes back: revoke or regenerate its token to keep it out
  watch             print connects and disconnects as they happen, until Ctrl-C: live from the account's
                    signaling when the broker is known (a Beebotte profile, or --broker), else polling the list
  --broker URL      watch: the account's MQTT broker (the sandbox: its mqtt:// URL); the credential goes as
                    the MQTT username, as Beebotte takes it
  --interval S      watch: seconds between polls when it polls (default 5, 1–3600)
  --json            list: a JSON array; drop: {"dropped": USERID, "wasConnected": bool};
                    watch: one JSON object a line ({"type":"list",…} first, then {"type":"connect"|"disconnect",…})
  rights: list and watch need admin:connection:read, drop admin:connection:write (the secret key has both)
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  json: { type: 'boolean', default: false },
  broker: { type: 'string' },
  interval: { type: 'string' },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

export async function runConnectionsCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('connections', connectionsHelp, argv, io, async () => {
    const { values: parsed, positionals } = parse(argv, OPTIONS);
    const [word, userid, ...extra] = positionals;
    noMoreArgs(extra);
    const action = actionOf(word, ['list', 'drop', 'watch']);
    if (action === 'drop' && !userid) throw usage('drop needs the USERID (the client id `apiary connections list` shows)');
    if (action !== 'drop' && userid !== undefined) throw usage(`unexpected argument "${userid.slice(0, 40)}"`);
    if (action !== 'watch' && (parsed.broker !== undefined || parsed.interval !== undefined)) throw usage('--broker and --interval go with watch');
    const intervalS = parsed.interval === undefined ? 5 : Number(parsed.interval);
    if (!Number.isInteger(intervalS) || intervalS < 1 || intervalS > 3600) throw usage('--interval is whole seconds, 1–3600');
    if (parsed.broker !== undefined) checkBroker(parsed.broker);
    // a token from stdin is read once, for REST and for the signaling connection alike
    const values = await settleStdin(parsed, io);
    const rest = await resolveRest(values, io);

    if (action === 'list') {
      const rows = await listConnections(rest);
      io.stdout.write(values.json ? jsonLine(rows) : rows.map(describeConnection).join('') || 'nobody is connected\n');
      return 0;
    }
    if (action === 'drop') {
      const before = await listConnections(rest);
      await dropConnection(rest, userid!);
      const was = before.some((c) => c.userid === userid);
      io.stdout.write(values.json ? jsonLine({ dropped: userid, wasConnected: was }) : was ? `dropped ${userid}\n` : `${userid} was not connected\n`);
      return 0;
    }
    const { endpoint, reason } = await signalingFor(values, io);
    return watch(io, values.json, { rest, endpoint, reason, pollMs: intervalS * 1000 });
  });
}

interface WatchPlan {
  rest: Awaited<ReturnType<typeof resolveRest>>;
  endpoint: SignalingEndpoint | null;
  reason?: string | undefined;
  pollMs: number;
}

function watch(io: CommandIo, json: boolean, f: WatchPlan): Promise<number> {
  return new Promise((resolve, reject) => {
    let mode: string | null = null;
    const say = (s: ConnectionsSnapshot) => {
      const now = s.mode === 'signaling' ? 'live from the account’s signaling' : `polling every ${s.pollSeconds ?? 5} s${s.modeReason ? ` (${s.modeReason})` : ''}`;
      if (now !== mode) io.stderr.write(`apiary connections: ${now}\n`);
      mode = now;
      if (s.error) io.stderr.write(`apiary connections: the last refresh failed: ${s.error}\n`);
    };
    const watcher = new PresenceWatcher({
      profileId: 'cli',
      rest: f.rest,
      signaling: f.endpoint,
      ...(f.reason ? { pollReason: f.reason } : {}),
      pollMs: f.pollMs,
      onSnapshot: say,
      onEvent: (e) => io.stdout.write(json ? jsonLine({ type: e.event, ...withoutProfile(e) }) : describeEvent(e)),
    });
    const finish = () => {
      io.signal?.removeEventListener('abort', finish);
      process.off('SIGINT', finish);
      void watcher.stop().then(() => resolve(0));
    };
    watcher.start().then(
      (first) => {
        say(first);
        const others = first.connections.filter((c) => !c.own);
        io.stdout.write(json ? jsonLine({ type: 'list', connections: others }) : `${others.map(describeConnection).join('') || 'nobody is connected\n'}— watching (Ctrl-C stops)\n`);
        if (io.signal) {
          if (io.signal.aborted) return finish();
          io.signal.addEventListener('abort', finish, { once: true });
        } else process.once('SIGINT', finish);
      },
      (err: unknown) => void watcher.stop().then(() => reject(err)),
    );
  });
}

/** Where the account's signaling comes from, with the credential as its MQTT username; null (and why) to poll. */
async function signalingFor(values: Values, io: CommandIo): Promise<{ endpoint: SignalingEndpoint | null; reason?: string }> {
  if (values.profile !== undefined) {
    const core = headlessFor(values, io);
    const profile = findProfile(core.profiles, values.profile);
    const type = values['secret-key'] ? 'secretKey' : (profile.credentialType ?? 'channelToken');
    if (type === 'channelToken') return { endpoint: null, reason: 'a channel token cannot read the account’s signaling' };
    if (profile.kind === 'sandbox' && !values.broker) return { endpoint: null, reason: 'give --broker for the sandbox’s signaling' };
    const secret = values['secret-key'] ?? (await core.secretOf(profile));
    if (!secret) throw new CliError(`profile "${profile.name}" has no credential in the keychain`);
    const { clientId: _fixed, ...withoutFixedId } = profile;
    const config = core.sessionConfig({ ...withoutFixedId, credentialType: type, subscriptions: [] }, secret, values.broker ? { broker: values.broker } : {});
    const { clientId: _generated, ...options } = config.options;
    return { endpoint: { url: config.url, options } };
  }
  if (!values.broker) return { endpoint: null, reason: 'no --broker given' };
  const credential = await credentialFrom(values, io);
  if (credential.kind !== 'beebotte' || credential.type === 'channelToken')
    return { endpoint: null, reason: 'only the secret key or an IAM token can read the account’s signaling' };
  return { endpoint: { url: values.broker, options: { username: beebotteUsername(credential.type, credential.secret), password: '' } } };
}

async function settleStdin(values: Values, io: CommandIo): Promise<Values> {
  if (!values['token-stdin']) return values;
  const credential = await credentialFrom(values, io);
  if (credential.kind !== 'beebotte') return values;
  return { ...values, 'token-stdin': false, token: credential.secret };
}

function checkBroker(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--broker "${text.slice(0, 80)}" is not a URL: e.g. mqtt://127.0.0.1:1883 or mqtts://mqtt.beebotte.com:8883`);
  }
  if (!['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(url.protocol)) throw usage(`--broker must be mqtt://, mqtts://, ws:// or wss://, not ${url.protocol}//`);
}

function describeConnection(c: Omit<ConnectionDTO, 'own'>): string {
  const since = c.connectedAt ? ` since ${new Date(c.connectedAt).toISOString()}` : '';
  const protocol = c.protocol === 'socketio' ? 'ws' : c.protocol;
  return `${c.clientid}  ${protocol}  ${c.channel ? `channel ${c.channel}` : 'account key or IAM token'}  ${c.clientip ?? '-'}${since}\n`;
}

function describeEvent(e: PresenceEventDTO): string {
  const where = [e.channel ? `channel ${e.channel}` : null, e.protocol].filter(Boolean).join(', ');
  return `${new Date(e.at).toISOString()}  ${e.event === 'connect' ? 'connected   ' : 'disconnected'}  ${e.clientid}  (${where})\n`;
}

function withoutProfile(e: PresenceEventDTO): Omit<PresenceEventDTO, 'profileId' | 'event'> {
  const { profileId: _p, event: _e, ...rest } = e;
  return rest;
}
