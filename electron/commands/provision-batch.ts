/**
 * `apiary provision --batch FILE`: a workbench of boards, one after the other, each through the single-board
 * command (runProvisionCommand) unchanged — this file is only the loop around it: read the boards, skip the
 * ones the device registry already knows, one progress line per board, a summary table, a report file.
 *   apiary provision --batch boards.csv|boards.json (--wifi-password-env VAR | --wifi-password-stdin)
 *                    (--profile NAME | --broker URL --token-env VAR) [--wifi-ssid S] [--channel C] [--resource R]
 *                    [--wait-first-message SECONDS] [--report FILE] [--data DIR] [--force] [--json]
 * The batch file holds no secret (a password or token column is refused); the report holds none either.
 * Boards that pair are remembered in the app's device registry, which is how a re-run knows to skip them.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { KnownDevice } from '../api.js';
import { defaultLister, type PortLister } from '../core/pairing/discovery.js';
import type { ProvisionResult } from '../core/pairing/flow.js';
import { dataDirOf, openProfiles } from './credential-flags.js';
import { readBatch, type BoardSpec } from './provision-batch-file.js';
import { BOARD_OPTIONS, readSecretLine, runProvisionCommand, type ProvisionDeps } from './provision.js';
import { parseFlags, usage } from './cli-io.js';
import { redactSecrets } from '../common/redact.js';

/** What the batch needs of the device registry (electron/core/devices/registry.ts). */
export interface BatchRegistry {
  list(): KnownDevice[];
  upsert(device: KnownDevice): unknown;
}

export interface BatchDeps extends ProvisionDeps {
  /** the device registry; default: the one in the data dir's store (--data DIR, APIARY_DATA_DIR, ~/.apiary) */
  openRegistry?: (dataDir: string) => { registry: BatchRegistry; close(): void };
  /** the profile id behind --profile NAME (devices are remembered under it) */
  profileId?: (name: string, dataDir: string) => string | undefined;
  /** lists ports with their USB serial numbers, for boards given by serial number */
  listPorts?: PortLister;
  env?: NodeJS.ProcessEnv;
}

export type BoardOutcome =
  | {
      status: 'paired';
      device: { name: string; firmware: string; chip: string };
      clientId: string | null;
      firstMessageAt?: number;
      /** with --device-token: the board's own IAM token (never its value) */
      iamToken?: { id: string; name: string };
    }
  | { status: 'failed'; step: string; code?: string; error: string }
  | { status: 'skipped'; reason: string; device: string };

export interface BatchReport {
  batch: string;
  startedAt: string;
  finishedAt: string;
  summary: { boards: number; paired: number; failed: number; skipped: number };
  boards: (Omit<BoardSpec, 'waitSeconds'> & { port?: string } & BoardOutcome)[];
}

export const BATCH_USAGE =
  'usage: apiary provision --batch FILE (--wifi-password-env VAR | --wifi-password-stdin) ' +
  '(--profile NAME [--device-token] | --broker URL --token-env VAR) [--wifi-ssid S] [--channel C] [--resource R] ' +
  '[--wait-first-message SECONDS] [--report FILE] [--data DIR] [--force] [--json]';

const BATCH_HELP = `${BATCH_USAGE}

Provision a batch of boards, one after the other, as \`apiary provision\` does one. FILE is CSV (a header
row) or JSON (a list of objects, or {"boards": [...]}) with, per board:
  port | serial     the serial port, or the board's USB serial number (found among the plugged-in ports)
  channel, resource where it publishes (default --channel / --resource)
  ssid              the Wi-Fi it joins (default --wifi-ssid)
  wait              seconds to wait for its first message (default --wait-first-message, else 60)
No password or token in FILE: the Wi-Fi password comes from --wifi-password-env VAR (the variable's name,
not the password) or the first line of stdin; the broker credential from the profile or --token-env VAR
(the variable's name; --token T also works, but ps and the shell history see it).

  --report FILE   write a JSON report: every board, paired / failed (the step and why) / skipped; no secret
  --data DIR      the app data dir whose device registry records paired boards (default ~/.apiary or
                  APIARY_DATA_DIR): a re-run skips the boards it knows (same USB serial number, or same
                  channel/resource under the same broker)
  --force         provision boards the registry already knows too
  --device-token  with --profile: each board gets an IAM token of its own (data on its channel only, named
                  after it), as \`apiary provision --device-token\` does; the registry and the report keep
                  its id and name, never its value
  --json          the report on stdout instead of the summary table

Exit status: 0 every board paired or skipped, 1 a board failed, 2 bad usage.`;

function alreadyPaired(board: BoardSpec, profileId: string, known: KnownDevice[]): KnownDevice | undefined {
  return known.find(
    (d) =>
      (board.serial !== undefined && d.serialNumber === board.serial) ||
      (d.profileId === profileId && d.channel === board.channel && d.resource === board.resource),
  );
}

function label(b: BoardSpec): string {
  return b.port ?? `serial ${b.serial}`;
}

function table(report: BatchReport): string {
  const rows = report.boards.map((b) => [
    String(b.row),
    b.port ?? `serial ${b.serial}`,
    `${b.channel}/${b.resource}`,
    b.status === 'paired' ? 'paired' : b.status === 'skipped' ? 'skipped' : 'FAILED',
    b.status === 'paired'
      ? `${b.device.name} (${b.device.firmware}, ${b.device.chip})`
      : b.status === 'skipped'
        ? b.reason
        : `${b.step}: ${b.error}`,
  ]);
  const head = ['#', 'board', 'topic', 'result', 'detail'];
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? c : c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!),
      )
      .join('  ');
  const s = report.summary;
  return [line(head), ...rows.map(line), `${s.paired} paired, ${s.failed} failed, ${s.skipped} skipped of ${s.boards}`].join(
    '\n',
  );
}

export async function runProvisionBatch(argv: string[], deps: BatchDeps = {}): Promise<number> {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  const env = deps.env ?? process.env;
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(`${BATCH_HELP}\n`);
    return 0;
  }
  let values;
  let boards: BoardSpec[];
  let password: string;
  try {
    values = parseFlags(argv, {
      ...BOARD_OPTIONS,
      batch: { type: 'string' },
      'wifi-password-env': { type: 'string' },
      report: { type: 'string' },
      data: { type: 'string' },
      force: { type: 'boolean', default: false },
    });
    if (!values.batch) throw usage('--batch FILE is required');
    const tokenGiven = values.token !== undefined || values['token-env'] !== undefined;
    if ((values.profile !== undefined) === (values.broker !== undefined || tokenGiven)) {
      throw usage('give either --profile NAME or --broker URL --token-env VAR');
    }
    if (values.token !== undefined && values['token-env'] !== undefined) throw usage('give one of --token T or --token-env VAR');
    if (values['device-token'] && values.profile === undefined)
      throw usage('--device-token needs --profile NAME (a profile that may create IAM tokens)');
    if (values['token-env'] !== undefined) {
      // the token stays out of the command line (ps, shell history); it goes to each board's step in-process
      const v = env[values['token-env']]?.trim();
      if (!v) throw usage(`--token-env ${values['token-env']}: that environment variable is not set or empty`);
      values.token = v;
    }
    if (values.broker !== undefined && !values.token)
      throw usage('--broker needs the channel token: --token-env VAR (or --token T)');
    if ((values['wifi-password-env'] !== undefined) === values['wifi-password-stdin']) {
      throw usage('give exactly one of --wifi-password-env VAR or --wifi-password-stdin');
    }
    const wait = values['wait-first-message'] === undefined ? undefined : Number(values['wait-first-message']);
    boards = readBatch(values.batch, {
      ...(values['wifi-ssid'] ? { ssid: values['wifi-ssid'] } : {}),
      ...(values.channel ? { channel: values.channel } : {}),
      ...(values.resource ? { resource: values.resource } : {}),
      ...(wait !== undefined ? { waitSeconds: wait } : {}),
    });
    if (values['wifi-password-env'] !== undefined) {
      const v = env[values['wifi-password-env']];
      if (v === undefined) throw usage(`the environment variable ${values['wifi-password-env']} is not set`);
      password = v;
    } else {
      password = await readSecretLine(deps.stdin ?? process.stdin);
    }
  } catch (e) {
    err.write(`apiary provision: ${(e as Error).message}\n${BATCH_USAGE}\n`);
    return 2;
  }

  const dataDir = dataDirOf(values, env);
  const profileId = values.profile
    ? ((deps.profileId ?? defaultProfileId)(values.profile, dataDir) ?? `profile:${values.profile}`)
    : `broker:${values.broker}`;
  const secrets = [password, ...(values.token ? [values.token] : [])];
  let store: { registry: BatchRegistry; close(): void };
  try {
    store = await (deps.openRegistry ? deps.openRegistry(dataDir) : openStoreRegistry(dataDir));
  } catch (e) {
    err.write(`apiary provision: cannot open the device registry in ${dataDir}: ${(e as Error).message}\n`);
    return 1;
  }

  const startedAt = new Date().toISOString();
  const results: BatchReport['boards'] = [];
  try {
    const ports = boards.some((b) => !b.port) ? await (deps.listPorts ?? defaultLister)().catch(() => []) : [];
    for (const [i, board] of boards.entries()) {
      const prefix = `[${i + 1}/${boards.length}] ${label(board)} ${board.channel}/${board.resource}`;
      const { waitSeconds: _wait, ...spec } = board;
      const known = values.force ? undefined : alreadyPaired(board, profileId, store.registry.list());
      if (known) {
        const outcome: BoardOutcome = { status: 'skipped', reason: `already paired (${known.name})`, device: known.name };
        results.push({ ...spec, ...outcome });
        err.write(`${prefix}: skipped, already paired (${known.name})\n`);
        continue;
      }
      const port = board.port ?? ports.find((p) => p.serialNumber === board.serial)?.path;
      if (!port) {
        const outcome: BoardOutcome = {
          status: 'failed',
          step: 'open',
          code: 'port-missing',
          error: `no plugged-in port has serial number ${board.serial}: is the board connected? (apiary devices lists them)`,
        };
        results.push({ ...spec, ...outcome });
        err.write(`${prefix}: ✗ open: ${outcome.error}\n`);
        continue;
      }
      const result = await provisionOne(board, port, password, values, deps);
      const outcome: BoardOutcome = result.ok
        ? {
            status: 'paired',
            device: {
              name: result.device.name,
              firmware: `${result.device.firmware} ${result.device.version}`,
              chip: result.device.chip,
            },
            clientId: result.clientId,
            ...(result.firstMessage ? { firstMessageAt: result.firstMessage.receivedAt } : {}),
            ...(tokenOf(result) ? { iamToken: tokenOf(result)! } : {}),
          }
        : { status: 'failed', step: result.step, code: result.code, error: redactSecrets(result.error, secrets) };
      results.push({ ...spec, port, ...outcome });
      if (result.ok) {
        store.registry.upsert(
          knownDevice(result, board, profileId, ports.find((p) => p.path === port)?.serialNumber ?? board.serial),
        );
        err.write(
          `${prefix}: ✓ paired ${result.device.name} (${result.device.firmware} ${result.device.version}, ${result.device.chip})\n`,
        );
      } else {
        err.write(`${prefix}: ✗ ${result.step}: ${redactSecrets(result.error, secrets)}\n`);
      }
    }
  } finally {
    store.close();
  }

  const count = (s: BoardOutcome['status']) => results.filter((r) => r.status === s).length;
  const report: BatchReport = {
    batch: path.resolve(values.batch),
    startedAt,
    finishedAt: new Date().toISOString(),
    summary: { boards: results.length, paired: count('paired'), failed: count('failed'), skipped: count('skipped') },
    boards: results,
  };
  const text = redactSecrets(JSON.stringify(report, null, 2), secrets);
  if (values.report) {
    // written whole or not at all: a crash never leaves half a report
    const tmp = `${values.report}.${process.pid}.tmp`;
    writeFileSync(tmp, `${text}\n`, { mode: 0o600 });
    renameSync(tmp, values.report);
  }
  if (values.json) out.write(`${redactSecrets(JSON.stringify(report), secrets)}\n`);
  else out.write(`${redactSecrets(table(report), secrets)}\n`);
  return report.summary.failed > 0 ? 1 : 0;
}

/** One board through the single-board command: the password on its stdin, its JSON result captured. */
async function provisionOne(
  board: BoardSpec,
  port: string,
  password: string,
  values: {
    profile?: string | undefined;
    broker?: string | undefined;
    token?: string | undefined;
    'device-token'?: boolean | undefined;
  },
  deps: BatchDeps,
): Promise<ProvisionResult | Extract<ProvisionResult, { ok: false }>> {
  const argv = [
    '--port',
    port,
    '--wifi-ssid',
    board.ssid,
    '--wifi-password-stdin',
    ...(values.profile !== undefined ? ['--profile', values.profile] : ['--broker', values.broker!, '--token', values.token!]),
    ...(values['device-token'] ? ['--device-token'] : []),
    '--channel',
    board.channel,
    '--resource',
    board.resource,
    ...(board.waitSeconds !== undefined ? ['--wait-first-message', String(board.waitSeconds)] : []),
    '--json',
  ];
  let stdout = '';
  const sink = { write: (t: string) => ((stdout += t), true) } as unknown as NodeJS.WritableStream;
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  await runProvisionCommand(argv, { ...deps, stdin: Readable.from([`${password}\n`]), stdout: sink, stderr: quiet });
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as ProvisionResult;
  } catch {
    return { ok: false, port, step: 'open', code: 'port-failed', error: 'the provisioning step gave no result' };
  }
}

function knownDevice(
  result: Extract<ProvisionResult, { ok: true }>,
  board: BoardSpec,
  profileId: string,
  serial?: string,
): KnownDevice {
  const now = Date.now();
  return {
    id: (serial ?? `${result.device.name}-${result.clientId ?? randomUUID()}`).replace(/[^\w-]/g, '_').slice(0, 64),
    name: result.device.name,
    firmware: `${result.device.firmware} ${result.device.version}`,
    chip: result.device.chip,
    profileId,
    channel: board.channel,
    resource: board.resource,
    ...(result.clientId ? { clientId: result.clientId } : {}),
    pairedAt: now,
    online: result.firstMessage !== null,
    ...(result.firstMessage ? { lastSeen: result.firstMessage.receivedAt } : {}),
    ...(serial ? { serialNumber: serial } : {}),
    ...(tokenOf(result) ? { iamToken: tokenOf(result)! } : {}),
  };
}

/** The board's own IAM token, as `apiary provision --device-token --json` names it (id and name only). */
function tokenOf(result: ProvisionResult): { id: string; name: string } | undefined {
  const t = (result as { iamToken?: { id?: unknown; name?: unknown } }).iamToken;
  return t && typeof t.id === 'string' && typeof t.name === 'string' ? { id: t.id, name: t.name } : undefined;
}

/** The registry in the data dir's store, as the app keeps it (settings table, key devices.known). */
async function openStoreRegistry(dataDir: string): Promise<{ registry: BatchRegistry; close(): void }> {
  const { mkdirSync } = await import('node:fs');
  const { openDatabase, Settings } = await import('../core/store/index.js');
  const { DeviceRegistry } = await import('../core/devices/registry.js');
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(path.join(dataDir, 'apiary.db'));
  return { registry: new DeviceRegistry(new Settings(db)), close: () => db.close() };
}

function defaultProfileId(name: string, dataDir: string): string | undefined {
  return openProfiles(dataDir).findByName(name)?.id;
}
