/**
 * `apiary rules list|create|enable|disable|invoke|delete|runs` — a Beebotte account's Beerules over REST v1
 * (account credentials: API key + secret key, or an IAM token with admin:beerule rights). Beerules run in the
 * cloud (or the sandbox), not here: unlike the desk's alert rules they keep working while this machine sleeps.
 * Arguments are checked before anything is sent; the server's refusal (which right is missing, which name is
 * wrong) is printed as it says it.
 */
import { isValidName } from '../common/beebotte-names.js';
import {
  type BeeruleInfo,
  type BeeruleRunInfo,
  type BeeruleSpec,
  type BeeruleTriggerEvent,
  beeruleRuns,
  createBeerule,
  deleteBeerule,
  describeBeerule,
  invokeBeerule,
  listBeerules,
  setBeeruleEnabled,
} from '../core/beebotte/beerules-client.js';
import { type CommandIo, jsonLine, parse, resolveIo, runCli, usage, actionOf } from './cli-io.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';

const EVENTS: BeeruleTriggerEvent[] = ['write', 'publish', 'connect', 'disconnect', 'subscribe', 'unsubscribe', 'join', 'leave'];

export const rulesHelp = `usage: apiary rules <action> [options] [account] [--json]
  list                                   the account's Beerules (id, on/off, what each does)
  create NAME --on EVENT:CHANNEL[.RESOURCE] (--publish|--write) CHANNEL.RESOURCE
         [--if CONDITION] [--value EXPRESSION] [--description D]
                                         EVENT: ${EVENTS.join(' ')}; * for any channel or resource
                                         e.g. --on write:home.temp --if 'home.temp > 25' --publish home.alert --value "'hot'"
                                         without --value the action sends the event's data
  enable ID | disable ID                 switch a rule on or off
  invoke ID CHANNEL/RESOURCE [--data D]  run the rule now on that message (D is JSON, else text)
  delete ID                              delete the rule
  runs ID                                the rule's latest runs (the sandbox keeps them; the cloud does not say)
Beerules run in the cloud (or the sandbox), so they work while this machine sleeps.
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  json: { type: 'boolean', default: false },
  on: { type: 'string' },
  if: { type: 'string' },
  publish: { type: 'string' },
  write: { type: 'string' },
  value: { type: 'string' },
  description: { type: 'string' },
  data: { type: 'string' },
} as const;

const ACTIONS = ['list', 'create', 'enable', 'disable', 'invoke', 'delete', 'runs'] as const;
const ID = /^[\w-]{1,64}$/;

export async function runRulesCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('rules', rulesHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [actionWord, first, second, ...extra] = positionals;
    const action = actionOf(actionWord, ACTIONS, ACTIONS.join(', '));
    const expectedArgs = action === 'list' ? 0 : action === 'invoke' ? 2 : 1;
    const given = [first, second, ...extra].filter((a) => a !== undefined);
    if (given.length > expectedArgs) throw usage(`unexpected argument "${given[expectedArgs]!.slice(0, 40)}"`);
    if (given.length < expectedArgs)
      throw usage(
        action === 'create'
          ? 'create needs a rule NAME'
          : action === 'invoke'
            ? 'invoke needs a rule ID and CHANNEL/RESOURCE'
            : `${action} needs a rule ID`,
      );
    const createOnly = ['on', 'if', 'publish', 'write', 'value', 'description'] as const;
    if (action !== 'create') {
      const stray = createOnly.find((k) => values[k] !== undefined);
      if (stray) throw usage(`--${stray} goes with create`);
    }
    if (action !== 'invoke' && values.data !== undefined) throw usage('--data goes with invoke');
    if (action !== 'list' && action !== 'create' && !ID.test(first!)) throw usage(`"${first!.slice(0, 40)}" is not a rule id`);
    const spec = action === 'create' ? createSpec(first!, values) : null;
    const target = action === 'invoke' ? channelResource(second!, 'invoke', '/') : null;
    const rest = await resolveRest(values, io);
    const say = (value: unknown, text: string) => io.stdout.write(values.json ? jsonLine(value) : text);

    switch (action) {
      case 'list': {
        const rules = await listBeerules(rest);
        say(rules, rules.map(describeLine).join('') || 'no Beerules\n');
        return 0;
      }
      case 'create': {
        const rule = await createBeerule(rest, spec!);
        say(rule, `created ${describeLine(rule)}`);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const rule = await setBeeruleEnabled(rest, first!, action === 'enable');
        say(rule, `${action}d ${describeLine(rule)}`);
        return 0;
      }
      case 'invoke': {
        const run = await invokeBeerule(rest, first!, {
          ...target!,
          ...(values.data !== undefined ? { data: parseData(values.data) } : {}),
        });
        say({ invoked: first, run }, `invoked ${first}${run ? `: ${describeRun(run)}` : ''}\n`);
        return 0;
      }
      case 'delete':
        await deleteBeerule(rest, first!);
        say({ deleted: first }, `deleted Beerule ${first}\n`);
        return 0;
      case 'runs': {
        const runs = await beeruleRuns(rest, first!);
        if (runs === null) say(null, 'this server keeps no run log (the Beebotte cloud does not publish one)\n');
        else
          say(
            runs,
            runs.map((r) => `${new Date(r.ts).toISOString()} ${r.source} ${describeRun(r)}\n`).join('') || 'no runs yet\n',
          );
        return 0;
      }
    }
  });
}

function createSpec(
  name: string,
  values: { on?: string; if?: string; publish?: string; write?: string; value?: string; description?: string },
): BeeruleSpec {
  if (name.length < 2 || name.length > 48) throw usage('a rule NAME is 2–48 characters');
  if (!values.on) throw usage('create needs --on EVENT:CHANNEL[.RESOURCE], e.g. --on write:home.temp');
  const colon = values.on.indexOf(':');
  const event = (colon > 0 ? values.on.slice(0, colon) : values.on) as BeeruleTriggerEvent;
  if (!EVENTS.includes(event)) throw usage(`--on "${values.on.slice(0, 40)}": the event is one of ${EVENTS.join(', ')}`);
  if (colon < 0) throw usage(`--on ${event} needs a channel: --on ${event}:CHANNEL[.RESOURCE] (* for any)`);
  const [channel = '', resource = '*', ...more] = values.on.slice(colon + 1).split('.');
  if (more.length) throw usage(`--on "${values.on.slice(0, 60)}" must be EVENT:CHANNEL[.RESOURCE]`);
  for (const [kind, n] of [
    ['channel', channel],
    ['resource', resource],
  ] as const)
    if (n !== '*' && !isValidName(n)) throw usage(`--on: ${kind} "${n.slice(0, 40)}" must be * or 2–64 letters, digits or _`);
  if (channel === '*' && resource === '*') throw usage('--on: name a channel or a resource (Beebotte refuses * for both)');
  if ((values.publish === undefined) === (values.write === undefined))
    throw usage('say what the rule does: --publish CHANNEL.RESOURCE or --write CHANNEL.RESOURCE');
  const type = values.publish !== undefined ? 'publish' : 'write';
  const to = channelResource((values.publish ?? values.write)!, `--${type}`, '.');
  for (const [flag, text] of [
    ['--if', values.if],
    ['--value', values.value],
  ] as const)
    if (text !== undefined && (text.trim() === '' || text.length > 512))
      throw usage(`${flag} is an expression of 1–512 characters`);
  return {
    name,
    ...(values.description ? { description: values.description } : {}),
    trigger: { event, channel, resource },
    ...(values.if !== undefined ? { condition: values.if } : {}),
    action: { type, channel: to.channel, resource: to.resource, ...(values.value !== undefined ? { value: values.value } : {}) },
  };
}

function channelResource(text: string, what: string, separator: '.' | '/'): { channel: string; resource: string } {
  const [channel = '', resource = '', ...more] = text.split(separator);
  if (more.length || !isValidName(channel) || !isValidName(resource))
    throw usage(`${what} "${text.slice(0, 60)}" must be CHANNEL${separator}RESOURCE (each 2–64 letters, digits or _)`);
  return { channel, resource };
}

/** `--data 30` sends the number 30, `--data '{"a":1}'` an object, `--data hello` the text. */
function parseData(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeLine(rule: BeeruleInfo): string {
  return `${rule.id} [${rule.enabled ? 'on' : 'off'}] ${rule.name}: ${describeBeerule(rule)}\n`;
}

function describeRun(run: BeeruleRunInfo): string {
  const action = run.action ? ` ${JSON.stringify(run.action)}` : '';
  return `${run.outcome}${action}${run.error ? ` (${run.error})` : ''}`;
}
