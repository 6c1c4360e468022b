/**
 * `apiary rules` against the sandbox's REST v1, in-process with captured I/O: a rule made from flags runs
 * when a real MQTT device writes (its action reaches a real subscriber), is switched off and on, invoked,
 * its runs read, deleted; bad arguments exit 2 before anything is sent, a channel token is told what it lacks.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runRulesCommand } from '../../electron/commands/rules.js';
import { captureIo } from '../tools/cli-io.js';
import {
  ALICE,
  ALICE_HOME_TOKEN,
  type TestSandbox,
  connectMqtt,
  endClient,
  nextMessage,
  publish,
  sdkCall,
  sdkConnector,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
let account: string[];
const clients: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  account = ['--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', ALICE.secretKey];
});
afterAll(async () => {
  await Promise.all(clients.map(endClient));
  await t.cleanup();
});

async function rules(argv: string[], extra: Partial<CommandIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = captureIo(extra);
  const code = await runRulesCommand(argv, c.io);
  return { code, ...c.out };
}

async function mqtt(): Promise<MqttClient> {
  const c = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN);
  clients.push(c);
  return c;
}

const dataOf = (m: { payload: Buffer }) => (JSON.parse(m.payload.toString()) as { data: unknown }).data;

describe('apiary rules', () => {
  it('creates a rule that runs on a device write, disables, enables, invokes, shows runs and deletes it', async () => {
    const made = await rules([
      'create',
      'too hot',
      '--on',
      'write:home.temp',
      '--if',
      'home.temp > 25',
      '--publish',
      'home.note',
      '--value',
      "'hot: ' + data",
      '--json',
      ...account,
    ]);
    expect(made.code, made.stderr).toBe(0);
    const rule = JSON.parse(made.stdout) as { id: string; enabled: boolean; trigger: { event: string } };
    expect(rule).toMatchObject({ enabled: true, trigger: { event: 'write', channel: 'home', resource: 'temp' } });

    const listed = await rules(['list', ...account]);
    expect(listed.stdout).toContain(
      `${rule.id} [on] too hot: on write to home.temp, if home.temp > 25: publish home.note = 'hot: ' + data`,
    );

    const sub = await mqtt();
    await subscribe(sub, 'home/note');
    const device = await mqtt();
    const hot = nextMessage(sub, (m) => m.topic === 'home/note');
    await publish(device, 'home/temp', JSON.stringify({ data: 31, write: true }), 1);
    expect(dataOf(await hot)).toBe('hot: 31');

    expect((await rules(['disable', rule.id, ...account])).stdout).toContain(`${rule.id} [off]`);
    const refused = await rules(['invoke', rule.id, 'home/temp', '--data', '40', ...account]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/disabled/);
    expect((await rules(['enable', rule.id, ...account])).stdout).toContain(`${rule.id} [on]`);

    const invokedMessage = nextMessage(sub, (m) => m.topic === 'home/note' && dataOf(m) === 'hot: 40');
    const invoked = await rules(['invoke', rule.id, 'home/temp', '--data', '40', '--json', ...account]);
    expect(invoked.code, invoked.stderr).toBe(0);
    expect(JSON.parse(invoked.stdout)).toMatchObject({ invoked: rule.id, run: { outcome: 'done' } });
    await invokedMessage;

    const runs = await rules(['runs', rule.id, '--json', ...account]);
    expect(
      (JSON.parse(runs.stdout) as Array<{ source: string; outcome: string }>).map((r) => `${r.source}:${r.outcome}`),
    ).toEqual(['invoke:done', 'trigger:done']);

    expect((await rules(['delete', rule.id, ...account])).stdout).toBe(`deleted Beerule ${rule.id}\n`);
    expect((await rules(['list', ...account])).stdout).toBe('no Beerules\n');
  });

  it('refuses bad arguments with exit 2 and says what to write', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['create', 'x', '--on', 'write:home.temp', '--publish', 'home.note'], /2–48/],
      [['create', 'rule', '--on', 'melt:home.temp', '--publish', 'home.note'], /event is one of/],
      [['create', 'rule', '--on', 'write:*.*', '--publish', 'home.note'], /refuses \* for both/],
      [['create', 'rule', '--on', 'write:home.temp'], /--publish CHANNEL.RESOURCE or --write/],
      [['create', 'rule', '--on', 'write:home.temp', '--write', 'home/note'], /CHANNEL.RESOURCE/],
      [['invoke', 'abc', 'home'], /CHANNEL\/RESOURCE/],
      [['enable'], /needs a rule ID/],
      [['list', '--data', '1'], /--data goes with invoke/],
      [['melt'], /unknown action/],
    ];
    for (const [argv, message] of cases) {
      const r = await rules([...argv, ...account]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('never prints an FCM server key, in words or --json', async () => {
    const sdk = sdkConnector(t.sandbox.urls.http, { apiKey: ALICE.apiKey, secretKey: ALICE.secretKey });
    const rule = await sdkCall<{ _id: string }>((cb) =>
      sdk.createBeerule(
        {
          name: 'push',
          trigger: { event: 'write', channel: 'home', resource: 'temp' },
          action: { type: 'fcm', serverKey: 'fcm-server-key-secret', to: '/topics/x' },
        },
        cb,
      ),
    );
    for (const extra of [[], ['--json']]) {
      const listed = await rules(['list', ...extra, ...account]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(rule._id);
      expect(listed.stdout).not.toContain('fcm-server-key-secret');
    }
    expect((await rules(['delete', rule._id, ...account])).code).toBe(0);
  });

  it('tells a channel token which right listing Beerules needs (exit 1)', async () => {
    const r = await rules(['list', '--api', t.sandbox.urls.http, '--token', ALICE_HOME_TOKEN]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/admin:beerule:read/);
  });
});
