/**
 * `apiary read CHANNEL/RESOURCE` — a resource's stored records over REST v1: a time range or start/end, raw records
 * or hourly / daily statistics, a sample rate, a limit; printed as a table, one JSON array, or CSV (the History
 * explorer's export columns). A channel token of that channel is enough; so are the account keys or an IAM token.
 */
import type { HistoryBucketDTO, HistoryRecordDTO } from '../api.js';
import { READ_LIMIT_MAX, READ_RANGES, READ_SOURCES, SAMPLE_RATE_MAX, parseInstant, timeRangeError, type ReadSource } from '../common/read-ranges.js';
import { historyCsvHeader, historyCsvRecord, historyRow } from '../core/beebotte/history-export.js';
import type { ReadOptions } from '../core/beebotte/rest-client.js';
import { checkName } from './channels.js';
import { type CommandIo, jsonLine, parse, resolveIo, runCli, usage, noMoreArgs } from './cli-io.js';
import { REST_FLAGS_HELP, REST_OPTIONS, resolveRest } from './rest-flags.js';

export const readHelp = `usage: apiary read CHANNEL/RESOURCE [--range NAME | --start T [--end T]] [--source S] [--sample-rate N]
                  [--limit N] [--json | --csv] [account]
  --range NAME        a span back from now (30min, 6hour, 2day, 1week, 1month) or a period:
                      ${READ_RANGES.map((r) => r.value).filter((v) => !/^\d/.test(v)).join(', ')}
  --start T --end T   ISO dates (2026-12-01T08:00:00Z) or epoch milliseconds; --end defaults to now
  --source S          raw (default), hour-stats or day-stats (count, min, max, mean per UTC hour / day)
  --sample-rate N     one record in every N (1–${SAMPLE_RATE_MAX})
  --limit N           at most N records, the newest (1–${READ_LIMIT_MAX}, default 750); oldest first
  --json              one JSON array; --csv: CSV with a header (values as JSON text)
  a channel token of CHANNEL (--token) is enough to read
${REST_FLAGS_HELP}`;

const OPTIONS = {
  ...REST_OPTIONS,
  range: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
  source: { type: 'string' },
  'sample-rate': { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean', default: false },
  csv: { type: 'boolean', default: false },
} as const;

export async function runReadCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('read', readHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [target, ...extra] = positionals;
    noMoreArgs(extra);
    if (!target) throw usage('say what to read: apiary read CHANNEL/RESOURCE');
    const parts = target.split('/');
    if (parts.length !== 2) throw usage(`"${target.slice(0, 70)}" is not CHANNEL/RESOURCE (e.g. home/temp)`);
    const channel = checkName('channel', parts[0]!);
    const resource = checkName('resource', parts[1]!);
    if (values.json && values.csv) throw usage('choose --json or --csv, not both');
    const options = readOptions(values);

    const rest = await resolveRest(values, io);
    const result = await rest.readRecords(channel, resource, options);
    const rows: (HistoryRecordDTO | HistoryBucketDTO)[] = result.source === 'raw' ? result.records : result.buckets;
    if (values.json) {
      io.stdout.write(jsonLine(rows.map((r) => historyRow(result.source, r))));
    } else if (values.csv) {
      io.stdout.write(historyCsvHeader(result.source) + rows.map((r) => historyCsvRecord(result.source, r)).join(''));
    } else if (rows.length === 0) {
      io.stdout.write(`no records in ${channel}/${resource} for this range\n`);
    } else {
      io.stdout.write(result.source === 'raw' ? rawTable(result.records) : statsTable(result.buckets));
    }
    return 0;
  });
}

type Values = { range?: string; start?: string; end?: string; source?: string; 'sample-rate'?: string; limit?: string };

/** The flags as a read, every one checked before anything is sent. */
function readOptions(values: Values): ReadOptions {
  const out: ReadOptions = { limit: 750 };
  if (values.range !== undefined) {
    if (values.start !== undefined || values.end !== undefined) throw usage('give --range or --start/--end, not both');
    const error = timeRangeError(values.range);
    if (error) throw usage(error);
    out.timeRange = values.range;
  }
  if (values.end !== undefined && values.start === undefined) throw usage('--end needs --start');
  if (values.start !== undefined) {
    out.start = instant('--start', values.start);
    if (values.end !== undefined) out.end = instant('--end', values.end);
    if (out.end !== undefined && out.start > out.end) throw usage('--start is after --end');
  }
  if (values.source !== undefined) {
    if (!(READ_SOURCES as readonly string[]).includes(values.source))
      throw usage(`--source "${values.source.slice(0, 30)}" must be ${READ_SOURCES.join(', ')}`);
    out.source = values.source as ReadSource;
  }
  if (values['sample-rate'] !== undefined) out.sampleRate = integer('--sample-rate', values['sample-rate'], SAMPLE_RATE_MAX);
  if (values.limit !== undefined) out.limit = integer('--limit', values.limit, READ_LIMIT_MAX);
  return out;
}

function instant(flag: string, text: string): number {
  const ms = parseInstant(text);
  if (ms === null) throw usage(`${flag} "${text.slice(0, 40)}" is not a date: use ISO (2026-12-01T08:00:00Z) or epoch milliseconds`);
  return ms;
}

function integer(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw usage(`${flag} must be a whole number from 1 to ${max}`);
  return n;
}

function rawTable(records: HistoryRecordDTO[]): string {
  return records.map((r) => `${new Date(r.ts).toISOString()}  ${JSON.stringify(r.data)}  (id ${r.id})\n`).join('');
}

function statsTable(buckets: HistoryBucketDTO[]): string {
  const cell = (v: number | null) => (v === null ? '—' : String(Math.round(v * 1000) / 1000)).padStart(10);
  const head = `${'from (UTC)'.padEnd(24)}${'count'.padStart(8)}${'min'.padStart(10)}${'max'.padStart(10)}${'mean'.padStart(10)}\n`;
  return head + buckets.map((b) => `${new Date(b.ts).toISOString().padEnd(24)}${String(b.count).padStart(8)}${cell(b.min)}${cell(b.max)}${cell(b.mean)}\n`).join('');
}
