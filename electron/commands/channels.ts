/**
 * `apiary channels list|create|delete` — a Beebotte account's channels over REST v1 (account credentials:
 * API key + secret key, or an IAM token with admin rights). Names are checked before anything is sent.
 * Channel tokens are never printed here: `apiary token get|regenerate` is the explicit way to see one.
 */
import type { ChannelInfo } from '../api.js';
import { VTYPES, isValidName } from '../common/beebotte-names.js';
import { type CommandIo, jsonLine, parse, resolveIo, runCli, usage, actionOf, noMoreArgs } from './cli-io.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';

export { VTYPES };

export const channelsHelp = `usage: apiary channels <list|create|delete> [options] [account] [--json]
  list                                   the account's channels and their resources
  create NAME --resource name:vtype[:sos] …  [--public] [--label L] [--description D]
                                         sos = sendOnSubscribe (new subscribers get the last written value)
  delete NAME                            delete the channel, its resources and their data
  vtypes: ${VTYPES.join(' ')}
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  json: { type: 'boolean', default: false },
  resource: { type: 'string', multiple: true },
  public: { type: 'boolean', default: false },
  label: { type: 'string' },
  description: { type: 'string' },
} as const;

export type ResourceSpec = ChannelInfo['resources'][number];

export function checkName(kind: 'channel' | 'resource', name: string): string {
  if (!isValidName(name)) throw usage(`${kind} name "${name.slice(0, 70)}" must be 2–64 letters, digits or _`);
  return name;
}

export function checkVtype(vtype: string): string {
  if (!(VTYPES as readonly string[]).includes(vtype))
    throw usage(`unknown vtype "${vtype.slice(0, 30)}": use one of ${VTYPES.join(', ')}`);
  return vtype;
}

/** `name:vtype[:sos]` → a resource; vtype defaults to any. */
export function parseResourceSpec(text: string): ResourceSpec {
  const [name = '', vtype = 'any', flag, ...rest] = text.split(':');
  if (rest.length || (flag !== undefined && flag !== 'sos'))
    throw usage(`--resource "${text.slice(0, 70)}" must be name:vtype or name:vtype:sos`);
  return { name: checkName('resource', name), vtype: checkVtype(vtype), sendOnSubscribe: flag === 'sos' };
}

export async function runChannelsCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('channels', channelsHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [word, name, ...extra] = positionals;
    noMoreArgs(extra);
    const action = actionOf(word, ['list', 'create', 'delete']);
    if (action !== 'list') checkName('channel', name ?? '');
    if (
      action !== 'create' &&
      (values.resource || values.public || values.label !== undefined || values.description !== undefined)
    ) {
      throw usage('--resource, --public, --label and --description go with create');
    }
    const resources = (values.resource ?? []).map(parseResourceSpec);
    if (values.label !== undefined && values.label.length > 64) throw usage('--label is at most 64 characters');
    const rest = await resolveRest(values, io);

    if (action === 'list') {
      const channels = await rest.channels();
      io.stdout.write(values.json ? jsonLine(channels) : channels.map(describeChannel).join('') || 'no channels\n');
      return 0;
    }
    if (action === 'create') {
      const created = await rest.createChannel({
        name: name!,
        ispublic: values.public,
        resources,
        ...(values.label !== undefined ? { label: values.label } : {}),
        ...(values.description !== undefined ? { description: values.description } : {}),
      });
      io.stdout.write(values.json ? jsonLine(created) : `created ${describeChannel(created)}`);
      return 0;
    }
    await rest.deleteChannel(name!);
    io.stdout.write(values.json ? jsonLine({ deleted: name }) : `deleted channel ${name}\n`);
    return 0;
  });
}

export function describeResource(r: ResourceSpec): string {
  return `${r.name}:${r.vtype}${r.sendOnSubscribe ? ':sos' : ''}`;
}

function describeChannel(c: ChannelInfo): string {
  const label = c.label ? ` "${c.label}"` : '';
  return `${c.name}${label} (${c.ispublic ? 'public' : 'private'}) ${c.resources.map(describeResource).join(' ') || '(no resources)'}\n`;
}
