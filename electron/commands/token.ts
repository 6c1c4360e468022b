/**
 * `apiary token get|regenerate <channel>` — a channel's token over REST v1 (account credentials).
 * These are the only commands that print a token, because that is what they are asked for; it goes to stdout
 * alone so it can be piped (`apiary token get demo … | apiary profiles add … --secret-stdin`).
 * Regenerating invalidates the old token at once: every client that uses it is dropped.
 */
import { moveProfilesToNewToken } from '../core/profiles/token-move.js';
import { type CommandIo, jsonLine, parse, resolveIo, runCli, usage, actionOf, noMoreArgs } from './cli-io.js';
import { headlessFor } from './credential-flags.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';
import { checkName } from './channels.js';

export const tokenHelp = `usage: apiary token <get|regenerate> CHANNEL [account] [--update-profiles] [--json]
  get CHANNEL           print the channel's token
  regenerate CHANNEL    make a new token and print it; the old one stops working at once and the clients
                        that use it are dropped (devices holding it need the new one)
  --update-profiles     after regenerate, put the new token in the keychain for every saved profile that
                        held the old one, as its channel token or as a generic profile's username (in the
                        data dir of --data); each on its own: the ones that fail are listed with why
  --json                {"channel","token"} (with --update-profiles, regenerate adds "updatedProfiles":
                        [names] and "failedProfiles": [{profileId, name, reason}])
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  json: { type: 'boolean', default: false },
  'update-profiles': { type: 'boolean', default: false },
} as const;

export async function runTokenCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('token', tokenHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [word, channelArg, ...extra] = positionals;
    noMoreArgs(extra);
    const action = actionOf(word, ['get', 'regenerate']);
    const channel = checkName('channel', channelArg ?? '');
    if (action === 'get' && values['update-profiles']) throw usage('--update-profiles goes with regenerate');
    const rest = await resolveRest(values, io);

    if (action === 'get') {
      const { token } = await rest.channel(channel);
      if (!token) throw new Error(`the server did not return a token for ${channel}`);
      io.stdout.write(values.json ? jsonLine({ channel, token }) : `${token}\n`);
      return 0;
    }
    // the old token is needed only to find the profiles that hold it
    const oldToken = values['update-profiles'] ? (await rest.channel(channel)).token : undefined;
    const token = await rest.regenerateToken(channel);
    // the app's own rule (profiles/token-move.ts): channel-token profiles and token usernames, each on its own
    const core = values['update-profiles'] ? headlessFor(values, io) : null;
    const { moved, failed } = core
      ? await moveProfilesToNewToken(core.profiles.list(), core.vault, oldToken, token)
      : { moved: [], failed: [] };
    const updated = moved.map((p) => p.name);
    if (values.json)
      io.stdout.write(
        jsonLine({ channel, token, ...(values['update-profiles'] ? { updatedProfiles: updated, failedProfiles: failed } : {}) }),
      );
    else io.stdout.write(`${token}\n`);
    io.stderr.write(`regenerated the token of ${channel}: clients using the old one have been dropped\n`);
    if (updated.length) io.stderr.write(`updated profile(s): ${updated.join(', ')}\n`);
    for (const f of failed) io.stderr.write(`apiary token: warning: profile ${f.name} not updated: ${f.reason}\n`);
    return 0;
  });
}
