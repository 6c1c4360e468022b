/**
 * `apiary connections list|drop|watch` against the sandbox (signed requests, or an IAM token), in-process with
 * captured I/O: a real mqtt.js device listed with its channel and client IP, dropped, and watched connecting and
 * leaving — live from signaling with --broker, by polling without — plus the exit codes of bad usage and of a
 * credential without the admin:connection rights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { runConnectionsCommand } from '../../electron/commands/connections.js';
import { captureIo } from '../tools/cli-io.js';
import { ALICE, ALICE_HOME_TOKEN, ALICE_IAM_TOKEN, type TestSandbox, connectMqtt, endClient, startTestSandbox } from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
let account: string[];
const devices: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestSandbox();
  account = ['--api', t.sandbox.urls.http, '--api-key', ALICE.apiKey, '--secret-key', ALICE.secretKey];
});
afterAll(async () => {
  for (const d of devices) d.end(true);
  await t.cleanup();
});

async function device(clientId: string): Promise<MqttClient> {
  const c = await connectMqtt(t.sandbox.urls.mqtt, ALICE_HOME_TOKEN, { clientId });
  devices.push(c);
  return c;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('apiary connections', () => {
  it('lists who is connected, with channel and client IP, in words and as JSON', async () => {
    await device('cli-sensor-1');
    const c = captureIo();
    expect(await runConnectionsCommand(['list', ...account, '--json'], c.io), c.out.stderr).toBe(0);
    const rows = JSON.parse(c.out.stdout) as { clientid: string; channel: string | null; clientip: string | null; protocol: string }[];
    expect(rows.find((r) => r.clientid === 'cli-sensor-1')).toMatchObject({ channel: 'home', protocol: 'mqtt' });
    expect(rows.find((r) => r.clientid === 'cli-sensor-1')?.clientip).toMatch(/127\.0\.0\.1/);

    const h = captureIo();
    expect(await runConnectionsCommand(['list', ...account], h.io)).toBe(0);
    expect(h.out.stdout).toMatch(/^cli-sensor-1 {2}mqtt {2}channel home {2}\S*127\.0\.0\.1\S* since \d{4}-/m);
  });

  it('drops a connection: the device is closed; dropping it again says it was not connected', async () => {
    const victim = await device('cli-drop-me');
    const closed = new Promise<void>((resolve) => victim.once('close', () => resolve()));
    const c = captureIo();
    expect(await runConnectionsCommand(['drop', 'cli-drop-me', ...account, '--json'], c.io), c.out.stderr).toBe(0);
    expect(JSON.parse(c.out.stdout)).toEqual({ dropped: 'cli-drop-me', wasConnected: true });
    await closed;
    const again = captureIo();
    expect(await runConnectionsCommand(['drop', 'cli-drop-me', ...account], again.io)).toBe(0);
    expect(again.out.stdout).toBe('cli-drop-me was not connected\n');
    // a dot segment would be resolved away by the URL and reach another route: refused before anything is sent
    const dots = captureIo();
    expect(await runConnectionsCommand(['drop', '..', ...account], dots.io)).toBe(1);
    expect(dots.out.stderr).toContain('cannot be named in Beebotte');
  });

  for (const [how, extra] of [
    ['live from signaling with --broker', () => ['--broker', t.sandbox.urls.mqtt]],
    ['by polling without a broker', () => ['--interval', '1']],
  ] as const) {
    it(`watches a device connect and leave, ${how}`, async () => {
      const abort = new AbortController();
      const c = captureIo({ signal: abort.signal });
      const running = runConnectionsCommand(['watch', ...account, ...extra(), '--json'], c.io);
      await until(() => c.out.stdout.includes('"type":"list"'), 'the first list');
      const mode = how.startsWith('live') ? 'live from the account’s signaling' : 'polling every 1 s (no --broker given)';
      await until(() => c.out.stderr.includes(mode), mode);
      const id = `cli-watch-${how.startsWith('live') ? 'live' : 'poll'}`;
      const d = await device(id);
      await until(() => c.out.stdout.includes(`"type":"connect","clientid":"${id}"`), 'the connect line');
      await endClient(d);
      await until(() => c.out.stdout.includes(`"type":"disconnect","clientid":"${id}"`), 'the disconnect line');
      abort.abort();
      expect(await running).toBe(0);
      const lines = c.out.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; channel?: string; source?: string });
      expect(lines.find((l) => l.type === 'disconnect')).toMatchObject({ channel: 'home', source: how.startsWith('live') ? 'signaling' : 'polling' });
    });
  }

  it('says which right is missing, and refuses bad usage with exit 2', async () => {
    const token = captureIo();
    expect(await runConnectionsCommand(['list', '--api', t.sandbox.urls.http, '--token', ALICE_HOME_TOKEN], token.io)).toBe(1);
    expect(token.out.stderr).toMatch(/405\/1102: listing connections needs .*admin:connection:read/);
    const iam = captureIo();
    expect(await runConnectionsCommand(['drop', 'x', '--api', t.sandbox.urls.http, '--token', ALICE_IAM_TOKEN], iam.io)).toBe(1);
    expect(iam.out.stderr).toMatch(/admin:connection:read/); // the drop reads the list first

    for (const argv of [[], ['kick'], ['drop'], ['list', 'extra'], ['list', '--broker', 'mqtt://x'], ['watch', '--interval', '0'], ['watch', '--broker', 'http://x']]) {
      const c = captureIo();
      expect(await runConnectionsCommand([...argv, ...account], c.io), argv.join(' ')).toBe(2);
      expect(c.out.stderr).toContain('apiary connections --help');
    }
    const help = captureIo();
    expect(await runConnectionsCommand(['--help'], help.io)).toBe(0);
    expect(help.out.stdout).toContain('usage: apiary connections <list|drop USERID|watch>');
  });
});
