/**
 * `apiary pub <channel/resource|topic> <data> [connection flags] [--write] [--public] [--qos 0|1] [--raw] [--json]`
 * On Beebotte (a token or secret key) <data> is JSON, sent as {"data": <data>, "write"?, "ispublic"?} to a
 * channel/resource topic; --raw sends the text as it is. On a generic broker (--username/--password, or a
 * generic profile) the text goes as it is to any topic. QoS 1 waits for the broker's PUBACK.
 */
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { buildEnvelope } from '../common/beebotte-envelope.js';
import { checkPublishTopic } from '../common/beebotte-names.js';
import { CliError, type CommandIo, jsonLine, parse, readStdinLine, resolveIo, runCli, usage } from './cli-io.js';
import { MQTT_FLAGS_HELP, MQTT_OPTIONS, type MqttTarget, connectOnce, resolveMqttTarget } from './mqtt-flags.js';
import {
  MQTT5_FLAGS_HELP,
  MQTT5_OPTIONS,
  PUBLISH5_FLAGS_HELP,
  PUBLISH5_OPTIONS,
  applyMqttVersion,
  parseMqttVersion,
  parseQos012,
  publishProperties,
  reasonText,
} from './mqtt5-flags.js';

export const pubHelp = `usage: apiary pub <topic> <data> [connection] [--write] [--public] [--qos 0|1|2] [--retain] [--raw] [--json]
  Publishes one message. <data> "-" reads it from stdin (first line).
  Beebotte: <topic> is channel/resource and <data> is JSON (42, '"text"', '{"a":1}'), sent as the envelope
            {"data": <data>} plus:
    --write      also persist the value (the resource must exist and accept its type)
    --public     mark the message public
    --raw        send <data> as it is, without the envelope
  Generic brokers (--username, or a generic MQTT profile): any topic, <data> sent as it is.
  --qos 0|1|2    default 0; with 1 the command waits for the broker's PUBACK, with 2 (generic brokers only)
                 for the whole exchange (PUBREC, PUBREL, PUBCOMP)
  --json         print {"topic","qos","retain","bytes"} once published
${MQTT5_FLAGS_HELP}
${PUBLISH5_FLAGS_HELP}
${MQTT_FLAGS_HELP}`;

const OPTIONS = {
  ...MQTT_OPTIONS,
  ...MQTT5_OPTIONS,
  ...PUBLISH5_OPTIONS,
  write: { type: 'boolean', default: false },
  public: { type: 'boolean', default: false },
  qos: { type: 'string', default: '0' },
  raw: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

const ACK_TIMEOUT_MS = 10_000;

/** The bytes to send: the Beebotte envelope around parsed JSON, or the text as it is. */
export function buildPayload(
  target: Pick<MqttTarget, 'beebotte'>,
  topic: string,
  data: string,
  flags: { write: boolean; public: boolean; raw: boolean },
): Buffer {
  if (!target.beebotte) {
    if (flags.write || flags.public)
      throw usage('--write and --public are Beebotte flags; this is a generic broker (data goes as it is)');
    return Buffer.from(data, 'utf8');
  }
  const problem = checkPublishTopic(topic);
  if (problem) throw usage(problem);
  if (flags.raw) {
    if (flags.write || flags.public) throw usage('--write and --public go in the envelope: they cannot be used with --raw');
    return Buffer.from(data, 'utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw usage(`<data> must be JSON, e.g. 42, '"text"' or '{"a":1}' (use --raw to send it as it is)`);
  }
  return Buffer.from(JSON.stringify(buildEnvelope(value, { write: flags.write, ispublic: flags.public })), 'utf8');
}

export async function runPubCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('pub', pubHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    if (positionals.length !== 2) throw usage('give a topic and the data: apiary pub demo/temperature 21.5 --token …');
    const [topic, dataArg] = positionals as [string, string];
    const version = parseMqttVersion(values['mqtt-version']);
    if (dataArg === '-' && values['token-stdin']) throw usage('stdin cannot carry both the data and the token');
    const target = await resolveMqttTarget(values, io);
    applyMqttVersion(target, version);
    const qos = parseQos012(values.qos, target);
    const properties = publishProperties(values, target);
    const publishOptions = { qos, retain: values.retain, ...(properties ? { properties } : {}) };
    const data = dataArg === '-' ? await readStdinLine(io.stdin, 'the data') : dataArg;
    const payload = buildPayload(target, topic, data, { write: values.write, public: values.public, raw: values.raw });
    const client = await connectOnce(target);
    try {
      await publishAcknowledged(client, topic, payload, publishOptions, target.displayHost);
    } catch (err) {
      client.end(true); // a graceful end would wait for the unacknowledged message
      throw err;
    }
    await client.endAsync(false).catch(() => undefined);
    const acked = qos === 1 ? ', acknowledged' : qos === 2 ? ', completed' : '';
    if (values.json) io.stdout.write(jsonLine({ topic, qos, retain: values.retain, bytes: payload.length }));
    else io.stdout.write(`published ${payload.length} bytes to ${topic} (QoS ${qos}${acked}${values.retain ? ', retained' : ''})\n`);
    return 0;
  });
}

/** Resolves when sent (QoS 0), acknowledged (QoS 1) or completed (QoS 2); a broker that hangs up first is an error, not a hang. */
function publishAcknowledged(
  client: MqttClient,
  topic: string,
  payload: Buffer,
  options: IClientPublishOptions & { qos: 0 | 1 | 2 },
  host: string,
): Promise<void> {
  const { qos } = options;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      client.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onClose = () =>
      finish(
        new CliError(
          `${host} closed the connection before ${qos >= 1 ? 'acknowledging' : 'taking'} the message: ` +
            'check that the credential may write there (and, with --write, that the channel and resource exist and accept the value)',
        ),
      );
    const timer = setTimeout(
      () => finish(new CliError(`${host} did not acknowledge within ${ACK_TIMEOUT_MS / 1000} s`)),
      ACK_TIMEOUT_MS,
    );
    client.on('error', () => undefined); // 'close' follows and says it
    client.on('close', onClose);
    client.publish(topic, payload, options, (err) => {
      if (!err) return finish();
      // an MQTT 5 broker says why it refused (PUBACK / PUBREC reason code)
      const code = (err as { code?: unknown }).code;
      finish(new CliError(`publish failed: ${typeof code === 'number' ? `the broker refused it: ${reasonText(code)}` : err.message}`));
    });
  });
}
