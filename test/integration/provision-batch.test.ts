/**
 * `apiary provision --batch`: five simulated boards (test/tools/device-sim on socat pty pairs), a real broker
 * (Mosquitto), the app's real device registry in a throwaway data dir. One board cannot join the Wi-Fi: the
 * batch goes on, reports it, and a re-run skips the four that paired and pairs the fifth once it is fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProvisionCommand } from '../../electron/commands/provision.js';
import { readBatch } from '../../electron/commands/provision-batch-file.js';
import type { BatchReport } from '../../electron/commands/provision-batch.js';
import { DeviceRegistry } from '../../electron/core/devices/registry.js';
import { openDatabase, Settings } from '../../electron/core/store/index.js';
import { openPortPaths } from '../../electron/core/pairing/serial-port.js';
import { startMosquitto, startPtyPair, startSim, type Mosquitto, type PtyPair, type Sim } from '../tools/device-sim/harness.js';

const PASSWORD = 'honeycomb-42';
const TOKEN = 'token_batch_secret_9f8e';

let broker: Mosquitto;
let dir: string;
const boards: { pty: PtyPair; sim: Sim }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-batch-'));
  broker = await startMosquitto();
  for (let i = 0; i < 5; i++) {
    const pty = await startPtyPair();
    // board 3 only knows another network: it cannot join "Hive"
    const ssid = i === 2 ? 'Orchard' : 'Hive';
    boards.push({ pty, sim: await startSim(pty.b, ['--ssid', ssid, '--password', PASSWORD, '--name', `Bee ${i + 1}`]) });
  }
}, 60_000);

afterAll(async () => {
  for (const b of boards) {
    await b.sim.stop();
    await b.pty.stop();
  }
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function batch(extra: string[] = []) {
  const out = { stdout: '', stderr: '' };
  const sink = (k: 'stdout' | 'stderr') => ({ write: (t: string) => ((out[k] += t), true) }) as unknown as NodeJS.WritableStream;
  const code = await runProvisionCommand(
    [
      '--batch',
      join(dir, 'boards.csv'),
      '--broker',
      broker.url,
      '--token',
      TOKEN,
      '--wifi-ssid',
      'Hive',
      '--wifi-password-env',
      'HIVE_WIFI',
      '--channel',
      'farm',
      '--wait-first-message',
      '10',
      '--report',
      join(dir, 'report.json'),
      '--data',
      join(dir, 'data'),
      ...extra,
    ],
    // the password only in the environment, as a user would export it
    { stdout: sink('stdout'), stderr: sink('stderr'), env: { HIVE_WIFI: PASSWORD } } as Parameters<typeof runProvisionCommand>[1],
  );
  const reportText = readFileSync(join(dir, 'report.json'), 'utf8');
  return { code, ...out, reportText, report: JSON.parse(reportText) as BatchReport };
}

function registry(): ReturnType<DeviceRegistry['list']> {
  const db = openDatabase(join(dir, 'data', 'apiary.db'));
  try {
    return new DeviceRegistry(new Settings(db)).list();
  } finally {
    db.close();
  }
}

describe('apiary provision --batch', () => {
  it('pairs the boards one by one, reports the one that failed, and a re-run skips the four that paired', async () => {
    writeFileSync(
      join(dir, 'boards.csv'),
      ['port,resource', ...boards.map((b, i) => `${b.pty.a},hive${i + 1}`)].join('\n') + '\n',
    );

    const first = await batch();

    expect(first.code).toBe(1);
    // one progress line per board, in order
    const lines = first.stderr.trim().split('\n');
    expect(lines).toHaveLength(5);
    lines.forEach((l, i) => expect(l).toMatch(new RegExp(`^\\[${i + 1}/5\\] .* farm/hive${i + 1}: `)));
    expect(lines[2]).toMatch(/✗ wifi: /);
    for (const i of [0, 1, 3, 4]) expect(lines[i]).toContain(`✓ paired Bee ${i + 1}`);
    // the report says the same, board by board
    expect(first.report.summary).toEqual({ boards: 5, paired: 4, failed: 1, skipped: 0 });
    expect(first.report.boards.map((b: { status: string }) => b.status)).toEqual([
      'paired',
      'paired',
      'failed',
      'paired',
      'paired',
    ]);
    expect(first.report.boards[2]).toMatchObject({ row: 3, port: boards[2]!.pty.a, step: 'wifi', code: 'unable-to-connect' });
    expect(first.report.boards[0]).toMatchObject({
      device: { name: 'Bee 1', chip: 'ESP32' },
      channel: 'farm',
      resource: 'hive1',
    });
    // the summary table at the end
    expect(first.stdout).toMatch(/^#\s+board\s+topic\s+result\s+detail/);
    expect(first.stdout).toContain('4 paired, 1 failed, 0 skipped of 5');
    expect(first.stdout).toMatch(/FAILED\s+wifi: /);
    // no secret anywhere the user or a file sees
    for (const text of [first.reportText, first.stdout, first.stderr]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(TOKEN);
    }
    // the app's device registry knows the four
    expect(
      registry()
        .map((d) => d.resource)
        .sort(),
    ).toEqual(['hive1', 'hive2', 'hive4', 'hive5']);
    expect(openPortPaths()).toEqual([]);

    // re-run: the four paired boards are skipped, the fifth fails again
    const again = await batch();
    expect(again.code).toBe(1);
    expect(again.report.summary).toEqual({ boards: 5, paired: 0, failed: 1, skipped: 4 });
    const againLines = again.stderr.trim().split('\n');
    for (const i of [0, 1, 3, 4]) expect(againLines[i]).toContain(`skipped, already paired (Bee ${i + 1})`);
    expect(againLines[2]).toMatch(/✗ wifi: /);

    // board 3 gets the right network: the next run pairs it and still skips the others
    await boards[2]!.sim.stop();
    boards[2]!.sim = await startSim(boards[2]!.pty.b, ['--ssid', 'Hive', '--password', PASSWORD, '--name', 'Bee 3']);
    const fixed = await batch();
    expect(fixed.code).toBe(0);
    expect(fixed.report.summary).toEqual({ boards: 5, paired: 1, failed: 0, skipped: 4 });
    expect(fixed.stdout).toContain('1 paired, 0 failed, 4 skipped of 5');
    expect(registry()).toHaveLength(5);
  }, 120_000);
});

describe('the batch file', () => {
  const file = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const refusal = (f: string): string => {
    try {
      readBatch(f, { ssid: 'Hive', channel: 'farm' });
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it("reads CSV and JSON; a row's values win over the flags", () => {
    const csv = file('a.csv', 'port,serial,channel,resource,ssid,wait\n/dev/ttyUSB0,,,t1,,\n,A1B2,garden,t2,Orchard,5\n\n');
    expect(readBatch(csv, { ssid: 'Hive', channel: 'farm', waitSeconds: 30 })).toEqual([
      { row: 1, port: '/dev/ttyUSB0', channel: 'farm', resource: 't1', ssid: 'Hive', waitSeconds: 30 },
      { row: 2, serial: 'A1B2', channel: 'garden', resource: 't2', ssid: 'Orchard', waitSeconds: 5 },
    ]);
    const json = file('a.json', JSON.stringify({ boards: [{ serial: 'X9', resource: 'r', wait: 0 }] }));
    expect(readBatch(json, { ssid: 'Hive', channel: 'farm' })).toEqual([
      { row: 1, serial: 'X9', channel: 'farm', resource: 'r', ssid: 'Hive', waitSeconds: 0 },
    ]);
  });

  it('refuses secrets in the file, boards it cannot tell apart, and rows without a port or serial', () => {
    expect(refusal(file('p.csv', 'port,resource,wifi_password\n/dev/ttyUSB0,t,hunter2\n'))).toMatch(
      /"wifi_password" column: passwords and tokens never go in the batch file/,
    );
    expect(refusal(file('t.json', JSON.stringify([{ port: '/dev/ttyUSB0', resource: 't', token: 'token_x' }])))).toMatch(
      /"token" column/,
    );
    expect(refusal(file('d.csv', 'port,resource\n/dev/ttyUSB0,t\n/dev/ttyUSB1,t\n'))).toMatch(/boards 1 and 2 share farm\/t/);
    expect(refusal(file('n.csv', 'port,resource\n,t\n'))).toMatch(/board 1: give its port or its serial number/);
    expect(refusal(file('u.csv', 'port,resource,colour\n/dev/ttyUSB0,t,red\n'))).toMatch(/unknown column "colour"/);
    expect(refusal(file('e.csv', ''))).toMatch(/is empty/);
  });
});
