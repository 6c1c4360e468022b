/**
 * `apiary retained clear <filter> [connection] [--dry-run] [--json]`: finds the retained messages under a topic
 * or a subtree, publishes an empty retained payload to each, and checks on a fresh connection that none is left.
 * Generic brokers only (Beebotte keeps no retained messages to clear).
 */
import { topicFilterError } from '../common/topic-filter.js';
import { clearRetained } from '../core/session/retained.js';
import { CliError, type CommandIo, jsonLine, parse, resolveIo, runCli, usage } from './cli-io.js';
import { MQTT_FLAGS_HELP, MQTT_OPTIONS, resolveMqttTarget } from './mqtt-flags.js';
import { MQTT5_FLAGS_HELP, MQTT5_OPTIONS, applyMqttVersion, parseMqttVersion } from './mqtt5-flags.js';

export const retainedHelp = `usage: apiary retained clear <topic or filter> [connection] [--dry-run] [--json]
  Clears the retained messages of a topic, or of a subtree (a/b/#): an empty retained payload to each topic the
  broker holds one for, then a check on a fresh connection that none is left. Exit 0 when none is left, 1 otherwise.
  --dry-run      only list the retained topics under the filter
  --json         print {"filter","found","cleared","remaining"}
${MQTT5_FLAGS_HELP}
${MQTT_FLAGS_HELP}`;

const OPTIONS = {
  ...MQTT_OPTIONS,
  ...MQTT5_OPTIONS,
  'dry-run': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export async function runRetainedCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('retained', retainedHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [action, filter, ...extra] = positionals;
    if (action !== 'clear') throw usage('the action is clear: apiary retained clear sensors/# --broker mqtt://…');
    if (!filter || extra.length) throw usage('give one topic or filter: apiary retained clear sensors/# --broker mqtt://…');
    const problem = topicFilterError(filter);
    if (problem) throw usage(problem);
    const version = parseMqttVersion(values['mqtt-version']);
    const target = await resolveMqttTarget(values, io);
    applyMqttVersion(target, version);
    if (target.beebotte) throw usage('clearing retained messages is for generic brokers: Beebotte keeps no retained messages');
    let result;
    try {
      result = await clearRetained(target, filter, !values['dry-run']);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (values.json) io.stdout.write(jsonLine({ filter, ...result }));
    else if (values['dry-run']) {
      io.stdout.write(
        `${result.found.length} retained message(s) under ${filter}${result.found.length ? `:\n  ${result.found.join('\n  ')}` : ''}\n`,
      );
    } else {
      io.stdout.write(`cleared ${result.cleared} retained message(s) under ${filter}\n`);
      if (result.remaining.length) io.stderr.write(`apiary retained: still retained: ${result.remaining.join(', ')}\n`);
    }
    return result.remaining.length && !values['dry-run'] ? 1 : 0;
  });
}
