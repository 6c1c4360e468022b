/**
 * `apiary sub <topic…> [connection flags] [--qos 0|1] [--count N] [--timeout S] [--json]`
 * Subscribes and prints each message. Exit 0 after --count messages (or on Ctrl-C), 1 when the connection
 * fails or is refused (reason on stderr), 2 on bad usage, 3 when --timeout expires first.
 */
import type { IPublishPacket, MqttClient } from 'mqtt';
import { checkSubscribeFilter } from '../common/beebotte-names.js';
import { readEnvelope } from '../common/beebotte-envelope.js';
import { CliError, type CommandIo, jsonLine, parse, resolveIo, runCli, usage } from './cli-io.js';
import { MQTT_FLAGS_HELP, MQTT_OPTIONS, connectOnce, resolveMqttTarget } from './mqtt-flags.js';
import {
  MQTT5_FLAGS_HELP,
  MQTT5_OPTIONS,
  applyMqttVersion,
  fromPacket,
  parseMqttVersion,
  parseQos012,
  reasonText,
  type MessageProps,
} from './mqtt5-flags.js';

export const subHelp = `usage: apiary sub <topic…> [connection] [--qos 0|1|2] [--count N] [--timeout S] [--json]
  Subscribes to the topics (Beebotte: channel/resource or channel/#) and prints every message.
  --qos 0|1|2    subscription QoS (default 0; 2 for generic brokers only)
  --count N      exit 0 after N messages
  --timeout S    give up S seconds after subscribing (exit 3) unless --count messages arrived first
  --json         one line per message: {"topic","qos","retain","payload","encoding"?,"data"?,"properties"?,"ts"}
                 payload is the text, or base64 with "encoding":"base64" when it is not UTF-8;
                 data is the decoded Beebotte value when the payload is an envelope {"data": …};
                 properties are the MQTT 5 properties it came with (correlationData in hex);
                 ts is when Apiary received it (ms since the epoch)
${MQTT5_FLAGS_HELP}
${MQTT_FLAGS_HELP}`;

const OPTIONS = {
  ...MQTT_OPTIONS,
  ...MQTT5_OPTIONS,
  qos: { type: 'string', default: '0' },
  count: { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface ReceivedLine {
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
  encoding?: 'base64';
  data?: unknown;
  properties?: MessageProps;
  ts: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The --json line of one message: text when it is UTF-8, base64 otherwise; the Beebotte data when present. */
export function describeMessage(
  topic: string,
  payload: Buffer,
  packet: Pick<IPublishPacket, 'qos' | 'retain' | 'properties'>,
  ts: number,
): ReceivedLine {
  let text: string | null;
  try {
    text = utf8.decode(payload);
  } catch {
    text = null;
  }
  const { qos, retain } = packet;
  const properties = fromPacket(packet);
  const extra = properties ? { properties } : {};
  if (text === null) return { topic, qos, retain, payload: payload.toString('base64'), encoding: 'base64', ...extra, ts };
  const line: ReceivedLine = { topic, qos, retain, payload: text, ...extra, ts };
  try {
    const envelope = readEnvelope(JSON.parse(text));
    if (envelope) line.data = envelope.data;
  } catch {
    // plain text
  }
  return line;
}

export async function runSubCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('sub', subHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    if (positionals.length === 0) throw usage('give at least one topic, e.g. apiary sub demo/# --token …');
    const version = parseMqttVersion(values['mqtt-version']);
    const count = values.count === undefined ? null : parseCount(values.count);
    const timeoutS = values.timeout === undefined ? null : parsePositive(values.timeout, '--timeout');
    const target = await resolveMqttTarget(values, io);
    applyMqttVersion(target, version);
    const qos = parseQos012(values.qos, target);
    if (target.beebotte) {
      for (const topic of positionals) {
        const problem = checkSubscribeFilter(topic);
        if (problem) throw usage(problem);
      }
    }
    const client = await connectOnce(target);
    try {
      // listen before subscribing: a retained or sendOnSubscribe value can come in the same read as the SUBACK,
      // and mqtt.js emits it before the subscribe promise resolves
      const inbox = holdMessages(client);
      await subscribeAll(client, positionals, qos);
      io.stderr.write(
        `subscribed to ${positionals.join(', ')} on ${target.displayHost}${count ? ` (until ${count} message(s))` : ''}\n`,
      );
      return await receive(client, io, inbox, { json: values.json, count, timeoutS, host: target.displayHost });
    } finally {
      await client.endAsync(false).catch(() => undefined);
    }
  });
}

async function subscribeAll(client: MqttClient, topics: string[], qos: 0 | 1 | 2): Promise<void> {
  let granted: { topic: string; qos: number }[];
  try {
    granted = await client.subscribeAsync(topics, { qos });
  } catch (err) {
    // mqtt.js reports a SUBACK 0x80 as an error that carries the packet
    const packet = (err as { packet?: { granted?: number[] } }).packet;
    if (!packet?.granted) throw new CliError(`subscribe failed: ${(err as Error).message}`);
    granted = packet.granted.map((g, i) => ({ topic: topics[i] ?? '?', qos: g }));
  }
  const refused = granted.filter((g) => g.qos >= 0x80);
  if (refused.length) {
    const code = refused[0]!.qos;
    // MQTT 3.1.1 has one refusal (0x80); MQTT 5 says why in a reason code
    const why = code === 0x80 ? 'SUBACK 0x80' : `SUBACK ${reasonText(code)}`;
    throw new CliError(`subscription to ${refused.map((g) => g.topic).join(', ')} refused (${why}): the credential has no read right there`);
  }
}

type MessageHandler = (topic: string, payload: Buffer, packet: IPublishPacket) => void;

/** Listens from now on; keeps what arrives until `start` hands it, and everything after, to the handler. */
function holdMessages(client: MqttClient): { start(handler: MessageHandler): void } {
  const early: Parameters<MessageHandler>[] = [];
  let handler: MessageHandler | null = null;
  client.on('message', (topic, payload, packet) => {
    if (handler) handler(topic, payload, packet);
    else early.push([topic, payload, packet]);
  });
  return {
    start(h) {
      handler = h;
      for (const m of early.splice(0)) h(...m);
    },
  };
}

function receive(
  client: MqttClient,
  io: CommandIo,
  inbox: { start(handler: MessageHandler): void },
  opts: { json: boolean; count: number | null; timeoutS: number | null; host: string },
): Promise<number> {
  return new Promise((resolve) => {
    let received = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (code: number, message?: string) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      client.removeAllListeners('message');
      client.off('close', onClose);
      io.signal?.removeEventListener('abort', onAbort);
      process.off('SIGINT', onAbort);
      if (message) io.stderr.write(`apiary sub: ${message}\n`);
      resolve(code);
    };
    const onClose = () => finish(1, `${opts.host} closed the connection`);
    const onAbort = () => finish(0);
    client.on('error', () => undefined); // 'close' follows and says it
    client.on('close', onClose);
    inbox.start((topic, payload, packet) => {
      if (done || (opts.count !== null && received >= opts.count)) return;
      received++;
      const line = describeMessage(topic, payload, packet, Date.now());
      io.stdout.write(opts.json ? jsonLine(line) : humanLine(line));
      if (opts.count !== null && received >= opts.count) finish(0);
    });
    if (done) return;
    if (opts.timeoutS !== null) {
      timer = setTimeout(
        () => finish(3, `no${received ? ` more than ${received}` : ''} message(s) within ${opts.timeoutS} s (timeout)`),
        opts.timeoutS * 1000,
      );
    }
    if (io.signal) {
      if (io.signal.aborted) return finish(0);
      io.signal.addEventListener('abort', onAbort, { once: true });
    } else {
      process.once('SIGINT', onAbort);
    }
  });
}

function humanLine(line: ReceivedLine): string {
  const shown = line.encoding === 'base64' ? `<binary, base64> ${line.payload}` : line.payload;
  const user = line.properties?.userProperties?.map(([k, v]) => `${k}=${v}`).join(' ');
  return `${line.topic}${line.retain ? ' [retained]' : ''}  ${shown}${user ? `  {${user}}` : ''}\n`;
}

export function parseQos(text: string): 0 | 1 {
  if (text === '0' || text === '1') return Number(text) as 0 | 1;
  throw usage(`--qos must be 0 or 1 (Beebotte supports no QoS 2), got "${text.slice(0, 10)}"`);
}

function parseCount(text: string): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0)
    throw usage(`--count must be a whole number above 0, got "${text.slice(0, 20)}"`);
  return Number(text);
}

function parsePositive(text: string, flag: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw usage(`${flag} must be a positive number, got "${text.slice(0, 20)}"`);
  return n;
}
