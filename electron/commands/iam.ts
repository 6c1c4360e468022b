/**
 * `apiary iam list|show|create|revoke` — a Beebotte account's IAM tokens over REST v1 (account credentials:
 * API key + secret key, or an IAM token with admin:iam rights). Values are printed only when that is what is
 * asked: `create` prints the new token (it is shown once, like `apiary token get`), `show ID --value` prints one.
 */
import { IamClient, deviceAcl, describeRule, type IamRule, type IamTokenInfo } from '../core/beebotte/iam-client.js';
import { type CommandIo, jsonLine, parse, resolveIo, runCli, usage, actionOf, noMoreArgs } from './cli-io.js';
import { checkName } from './channels.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';

const ACTIONS = [
  'data:read',
  'data:write',
  ...['channel', 'connection', 'iam', 'beerule'].flatMap((a) => [`admin:${a}:read`, `admin:${a}:write`]),
];
const RESOURCE = /^(\*|\w\w+)(\.(\*|\w\w+))?$/;

export const iamHelp = `usage: apiary iam <list|show|create|revoke> [options] [account] [--json]
  list                        the account's IAM tokens: id, name, scopes in words (never their values)
  show ID [--value]           one token; --value prints its value alone on stdout (to pipe it)
  create NAME (--channel C | --scope ACTION[=RESOURCE,…] …) [--description D]
                              a new token; its value goes to stdout alone (details on stderr)
      --channel C             data read and write on channel C only (what a paired device gets)
      --scope ACTION[=R,…]    one rule; ACTION one of ${ACTIONS.join(', ')};
                              R (data actions only) is channel, channel.resource, channel.* or *
                              (none: every channel). Repeat --scope for more rules.
  revoke ID                   delete the token: everything that uses it is dropped at once
  --json                      one JSON line (list/show: without values; create: with "token")
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  json: { type: 'boolean', default: false },
  value: { type: 'boolean', default: false },
  channel: { type: 'string' },
  scope: { type: 'string', multiple: true },
  description: { type: 'string' },
} as const;

/** `data:read=home,garage.door` → a rule; checked before anything is sent. */
export function parseScope(text: string): IamRule {
  const [action = '', resources] = text.split('=', 2);
  if (!ACTIONS.includes(action)) throw usage(`--scope "${text.slice(0, 60)}": the action must be one of ${ACTIONS.join(', ')}`);
  if (resources === undefined) return { action };
  if (!action.startsWith('data:')) throw usage(`--scope ${action} covers the whole account: it takes no =RESOURCE`);
  const list = resources.split(',');
  const bad = list.find((r) => r.length > 129 || !RESOURCE.test(r));
  if (bad !== undefined) throw usage(`--scope "${bad.slice(0, 60)}" is not channel, channel.resource, channel.* or *`);
  return { action, resource: list };
}

function describe(t: IamTokenInfo): string {
  const desc = t.description ? `\n    ${t.description}` : '';
  return `${t.id}  ${t.name}: ${t.acl.map(describeRule).join('; ') || '(no rights)'}${desc}\n`;
}

export async function runIamCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('iam', iamHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [word, arg, ...extra] = positionals;
    noMoreArgs(extra);
    const action = actionOf(word, ['list', 'show', 'create', 'revoke']);
    if (action === 'list' && arg !== undefined) throw usage(`unexpected argument "${arg.slice(0, 40)}"`);
    if ((action === 'show' || action === 'revoke') && !/^[\w-]{1,64}$/.test(arg ?? ''))
      throw usage(`${action} needs the token's id (apiary iam list shows them)`);
    if (action !== 'create' && (values.channel !== undefined || values.scope || values.description !== undefined))
      throw usage('--channel, --scope and --description go with create');
    if (action !== 'show' && values.value) throw usage('--value goes with show');
    let acl: IamRule[] = [];
    if (action === 'create') {
      const name = (arg ?? '').trim();
      if (name.length < 2 || name.length > 48) throw usage('create needs a NAME of 2–48 characters');
      if ((values.channel !== undefined) === !!values.scope?.length)
        throw usage('give either --channel C or --scope … (one or more)');
      acl = values.channel !== undefined ? deviceAcl(checkName('channel', values.channel)) : values.scope!.map(parseScope);
      if (values.description !== undefined && values.description.length > 256)
        throw usage('--description is at most 256 characters');
    }
    const iam = new IamClient(await resolveRest(values, io));

    if (action === 'list') {
      const tokens = await iam.list();
      io.stdout.write(values.json ? jsonLine(tokens) : tokens.map(describe).join('') || 'no IAM tokens\n');
      return 0;
    }
    if (action === 'show') {
      if (values.value) {
        const token = await iam.value(arg!);
        io.stdout.write(values.json ? jsonLine({ id: arg, token }) : `${token}\n`);
        return 0;
      }
      const token = await iam.get(arg!);
      io.stdout.write(values.json ? jsonLine(token) : describe(token));
      return 0;
    }
    if (action === 'create') {
      const { info, token } = await iam.create({
        name: arg!.trim(),
        acl,
        ...(values.description !== undefined ? { description: values.description } : {}),
      });
      io.stdout.write(values.json ? jsonLine({ ...info, token }) : `${token}\n`);
      io.stderr.write(`created ${describe(info)}keep the token now: apiary iam show ${info.id} --value prints it again\n`);
      return 0;
    }
    await iam.revoke(arg!);
    io.stdout.write(values.json ? jsonLine({ revoked: arg }) : `revoked IAM token ${arg}: clients using it have been dropped\n`);
    return 0;
  });
}
