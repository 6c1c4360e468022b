/**
 * The batch file of `apiary provision --batch`: CSV with a header, or JSON, one board a row (its port or USB serial
 * number, and what differs from the command's flags). It holds no secret: a password or token column is refused.
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '../core/store/csv.js';
import { usage } from './cli-io.js';

export interface BoardSpec {
  /** 1-based row in the batch file */
  row: number;
  port?: string;
  serial?: string;
  channel: string;
  resource: string;
  ssid: string;
  waitSeconds?: number;
}

const SECRET_COLUMNS = /pass|secret|token|key|psk/i;
const COLUMNS = new Map([
  ['port', 'port'],
  ['path', 'port'],
  ['serial', 'serial'],
  ['serialnumber', 'serial'],
  ['serial_number', 'serial'],
  ['channel', 'channel'],
  ['resource', 'resource'],
  ['ssid', 'ssid'],
  ['wifi_ssid', 'ssid'],
  ['wifi-ssid', 'ssid'],
  ['wait', 'wait'],
  ['wait_first_message', 'wait'],
]);

/** Rows of the batch file as objects of strings (CSV with a header, or JSON). */
function readRows(file: string): Record<string, string>[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw usage(`cannot read the batch file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (file.toLowerCase().endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw usage(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(json) ? json : (json as { boards?: unknown })?.boards;
    if (!Array.isArray(list)) throw usage(`${file}: expected a list of boards, or {"boards": [...]}`);
    return list.map((item, i) => {
      if (!item || typeof item !== 'object') throw usage(`${file}: board ${i + 1} is not an object`);
      return Object.fromEntries(
        Object.entries(item as object).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]),
      );
    });
  }
  const records = parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.some((f) => f.trim() !== ''));
  const [header, ...rows] = records;
  if (!header) throw usage(`${file} is empty`);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), (r[i] ?? '').trim()])));
}

export interface Defaults {
  ssid?: string;
  channel?: string;
  resource?: string;
  waitSeconds?: number;
}

export function readBatch(file: string, defaults: Defaults): BoardSpec[] {
  const rows = readRows(file);
  if (rows.length === 0) throw usage(`${file} lists no boards`);
  if (rows.length > 200) throw usage(`${file} lists ${rows.length} boards: at most 200 in one batch`);
  const boards = rows.map((raw, i) => {
    const row = i + 1;
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (SECRET_COLUMNS.test(key)) {
        throw usage(
          `${file} has a "${key}" column: passwords and tokens never go in the batch file (give --wifi-password-env VAR or --wifi-password-stdin, and --profile or --token)`,
        );
      }
      const name = COLUMNS.get(key.toLowerCase());
      if (!name)
        throw usage(`${file}: unknown column "${key.slice(0, 40)}" (use port, serial, channel, resource, ssid, wait)`);
      if (value !== '') fields[name] = value;
    }
    const need = (name: 'channel' | 'resource' | 'ssid', fallback: string | undefined, flag: string): string => {
      const v = fields[name] ?? fallback;
      if (!v) throw usage(`board ${row}: no ${name} (a "${name}" column or ${flag})`);
      return v;
    };
    if (!fields.port && !fields.serial) throw usage(`board ${row}: give its port or its serial number`);
    const spec: BoardSpec = {
      row,
      ...(fields.port ? { port: fields.port } : {}),
      ...(fields.serial ? { serial: fields.serial } : {}),
      channel: need('channel', defaults.channel, '--channel'),
      resource: need('resource', defaults.resource, '--resource'),
      ssid: need('ssid', defaults.ssid, '--wifi-ssid'),
    };
    const wait = fields.wait !== undefined ? Number(fields.wait) : defaults.waitSeconds;
    if (wait !== undefined) {
      if (!Number.isFinite(wait) || wait < 0 || wait > 3600)
        throw usage(`board ${row}: wait takes seconds from 0 to 3600`);
      spec.waitSeconds = wait;
    }
    return spec;
  });
  // a board must be told apart from the others, or a re-run could not know which one paired
  const seen = new Map<string, number>();
  for (const b of boards) {
    for (const key of [b.port && `port ${b.port}`, b.serial && `serial ${b.serial}`, `${b.channel}/${b.resource}`]) {
      if (!key) continue;
      const other = seen.get(key);
      if (other !== undefined) throw usage(`boards ${other} and ${b.row} share ${key}: each board needs its own`);
      seen.set(key, b.row);
    }
  }
  return boards;
}

