/**
 * `apiary resources list|create|delete` — the resources of one channel over REST v1 (account credentials).
 */
import { type CommandIo, jsonLine, parse, resolveIo, runCli, usage, actionOf, noMoreArgs } from './cli-io.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';
import { VTYPES, checkName, describeResource, parseResourceSpec } from './channels.js';

export const resourcesHelp = `usage: apiary resources <list|create|delete> CHANNEL [RESOURCE] [options] [account] [--json]
  list CHANNEL                          the channel's resources
  create CHANNEL name[:vtype[:sos]]     vtype defaults to any; sos = sendOnSubscribe
         [--label L] [--description D]
  delete CHANNEL NAME                   delete the resource and its data
  vtypes: ${VTYPES.join(' ')}
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  json: { type: 'boolean', default: false },
  label: { type: 'string' },
  description: { type: 'string' },
} as const;

export async function runResourcesCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('resources', resourcesHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [word, channelArg, resourceArg, ...extra] = positionals;
    noMoreArgs(extra);
    const action = actionOf(word, ['list', 'create', 'delete']);
    const channel = checkName('channel', channelArg ?? '');
    if (action === 'list' && resourceArg !== undefined) throw usage('list takes only the channel name');
    if (action !== 'list' && resourceArg === undefined)
      throw usage(`${action} needs the resource: apiary resources ${action} ${channel} NAME`);
    if (action !== 'create' && (values.label !== undefined || values.description !== undefined))
      throw usage('--label and --description go with create');
    const spec = action === 'create' ? parseResourceSpec(resourceArg!) : null;
    if (action === 'delete') checkName('resource', resourceArg!);
    if (values.label !== undefined && values.label.length > 64) throw usage('--label is at most 64 characters');
    const rest = await resolveRest(values, io);

    if (action === 'list') {
      const resources = await rest.resources(channel);
      io.stdout.write(
        values.json
          ? jsonLine(resources)
          : resources.map((r) => `${describeResource(r)}${r.label ? `  "${r.label}"` : ''}\n`).join('') || 'no resources\n',
      );
      return 0;
    }
    if (spec) {
      const resource = {
        ...spec,
        ...(values.label !== undefined ? { label: values.label } : {}),
        ...(values.description !== undefined ? { description: values.description } : {}),
      };
      await rest.createResource(channel, resource);
      io.stdout.write(values.json ? jsonLine({ channel, ...resource }) : `created ${channel}/${describeResource(resource)}\n`);
      return 0;
    }
    await rest.deleteResource(channel, resourceArg!);
    io.stdout.write(
      values.json ? jsonLine({ deleted: `${channel}/${resourceArg}` }) : `deleted resource ${channel}/${resourceArg}\n`,
    );
    return 0;
  });
}
