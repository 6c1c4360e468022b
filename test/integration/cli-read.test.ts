/**
 * `apiary read CHANNEL/RESOURCE` against the sandbox's REST v1, in-process with captured I/O: raw records and
 * hourly statistics as JSON, CSV and a table; a channel token is enough; bad flags exit 2 before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runReadCommand } from '../../electron/commands/read.js';
import { BeebotteRest } from '../../electron/core/beebotte/rest-client.js';
import { parseCsv } from '../../electron/core/store/csv.js';
import { captureIo } from '../tools/cli-io.js';
import { ALICE, ALICE_GARAGE_TOKEN, ALICE_HOME_TOKEN, type TestSandbox, startTestSandbox } from '../tools/sandbox-fixtures.js';

const HOUR = 3_600_000;
const BASE = Math.floor((Date.now() - 48 * HOUR) / HOUR) * HOUR;

let t: TestSandbox;
let account: string[];
let window: string[];

async function run(argv: string[], io: Partial<CommandIo> = {}) {
  const c = captureIo(io);
  const code = await runReadCommand(argv, c.io);
  return { code, ...c.out };
}

beforeAll(async () => {
  t = await startTestSandbox();
  account = ['--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', ALICE.secretKey];
  window = ['--start', new Date(BASE).toISOString(), '--end', String(BASE + 2 * HOUR)];
  const rest = new BeebotteRest(t.sandbox.urls.http, { kind: 'keys', apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
  // hour 0: 10, 20, 30 · hour 1: 5
  const records = [10, 20, 30].map((v, i) => ({ resource: 'temp', data: v, ts: BASE + (i + 1) * 60_000 }));
  records.push({ resource: 'temp', data: 5, ts: BASE + HOUR + 60_000 });
  await rest.request('POST', '/v1/data/write/home', { records });
});
afterAll(async () => {
  await t?.cleanup();
});

describe('apiary read', () => {
  it('prints raw records as one JSON array, oldest first, with ids and ISO times', async () => {
    const r = await run(['home/temp', ...window, ...account, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; time: string; ts: number; data: number }[];
    expect(rows.map((x) => x.data)).toEqual([10, 20, 30, 5]);
    expect(rows[0]!.time).toBe(new Date(BASE + 60_000).toISOString());
    expect(rows.every((x) => typeof x.id === 'string' && x.id.length > 0)).toBe(true);
  });

  it('prints hourly statistics as CSV', async () => {
    const r = await run(['home/temp', ...window, '--source', 'hour-stats', '--csv', ...account]);
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual(['time', 'ts', 'count', 'min', 'max', 'mean', 'sum']);
    expect(rows.slice(1).map((x) => [Number(x[1]) - BASE, x[2], x[3], x[4], x[5]])).toEqual([
      [0, '3', '10', '30', '20'],
      [HOUR, '1', '5', '5', '5'],
    ]);
  });

  it('prints a table by default, and reads with the channel token alone', async () => {
    const r = await run(['home/temp', ...window, '--source', 'hour-stats', '--api', t.sandbox.urls.http, '--token', ALICE_HOME_TOKEN]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^from \(UTC\)\s+count\s+min\s+max\s+mean$/m);
    expect(r.stdout).toContain(`${new Date(BASE).toISOString()}       3        10        30        20`);
    const raw = await run(['home/temp', ...window, '--sample-rate', '2', '--limit', '1', ...account]);
    expect(raw.stdout.trim().split('\n')).toHaveLength(1);
    expect(raw.stdout).toMatch(/ 5 {2}\(id \d+\)$/m);
  });

  it('takes a named range', async () => {
    const r = await run(['home/temp', '--range', 'last-year', ...account, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(r.stdout))).toBe(true);
    const empty = await run(['home/note', '--range', '6hour', ...account]);
    expect(empty.stdout).toBe('no records in home/note for this range\n');
  });

  it('refuses bad flags with exit 2 and says what to change', async () => {
    const cases: [string[], RegExp][] = [
      [['home'], /not CHANNEL\/RESOURCE/],
      [['home/temp', '--range', 'fortnight'], /not one Beebotte reads/],
      [['home/temp', '--range', '6hour', '--start', '0'], /not both/],
      [['home/temp', '--end', '0'], /--end needs --start/],
      [['home/temp', '--start', 'yesterday-ish'], /--start "yesterday-ish" is not a date/],
      [['home/temp', '--start', '2000', '--end', '1000'], /--start is after --end/],
      [['home/temp', '--source', 'minute-stats'], /raw, hour-stats, day-stats/],
      [['home/temp', '--limit', '50001'], /--limit must be a whole number from 1 to 50000/],
      [['home/temp', '--sample-rate', '0'], /--sample-rate/],
      [['home/temp', '--json', '--csv'], /--json or --csv/],
      [['h/temp'], /channel name "h"/],
    ];
    for (const [argv, message] of cases) {
      const r = await run([...argv, ...account]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('exits 1 with the server answer in words: no such resource, or a token of another channel', async () => {
    const missing = await run(['home/nosuch', ...account]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^apiary read: .*404/);
    const other = await run(['home/temp', '--api', t.sandbox.urls.http, '--token', ALICE_GARAGE_TOKEN]);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/405\/1102/);
    expect(other.stderr).not.toContain(ALICE_GARAGE_TOKEN);
  });
});
