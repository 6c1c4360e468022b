/** Sandbox persistence: demo credentials, records and TLS material survive a restart; retention bounds records. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../electron/sandbox/index.js';
import {
  ALICE_HOME_TOKEN,
  connackCode,
  connectMqtt,
  endClient,
  nextMessage,
  rest,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-sandbox-persist-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps the demo account, its records and the CA across a restart', async () => {
    const dataDir = tempDir();
    const first = await startSandbox({ dataDir });
    const demo = first.demo!;
    expect(demo).toMatchObject({ owner: 'demo', channel: 'demo' });
    expect(demo.token).toMatch(/^token_[0-9A-Za-z]{16}$/);
    expect(demo.apiKey).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(demo.secretKey).toMatch(/^[0-9A-Za-z]{32}$/);
    const written = await rest(first.urls.http, 'POST', '/v1/data/write/demo/temperature', {
      token: demo.token,
      body: { data: 18.5 },
    });
    expect(written.json).toBe(true);
    const ca = readFileSync(first.caPath, 'utf8');
    await first.close();

    const second = await startSandbox({ dataDir });
    try {
      expect(second.demo).toEqual(demo);
      expect(readFileSync(second.caPath, 'utf8')).toBe(ca);
      const read = await rest(second.urls.http, 'GET', '/v1/data/read/demo/temperature', { token: demo.token });
      expect(read.json).toEqual([expect.objectContaining({ data: 18.5 })]);
      // the persisted value is what a new subscriber gets first (sendOnSubscribe)
      const c = await connectMqtt(second.urls.mqtt, demo.token);
      const got = nextMessage(c, (m) => m.topic === 'demo/temperature');
      await subscribe(c, 'demo/#');
      expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 18.5 });
      await endClient(c);
      expect(await connackCode(second.urls.mqtt, demo.token)).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('a seed applied twice leaves the same accounts', async () => {
    const dataDir = tempDir();
    const a = await startTestSandbox({}, dataDir);
    const before = a.sandbox.accounts.listChannels('alice');
    await a.cleanup();
    const b = await startTestSandbox({}, dataDir);
    try {
      expect(b.sandbox.accounts.listChannels('alice')).toEqual(before);
      expect(b.sandbox.demo).toBeUndefined();
      expect(await connackCode(b.sandbox.urls.mqtt, ALICE_HOME_TOKEN)).toBe(0);
    } finally {
      await b.cleanup();
    }
  });

  it('keeps at most maxRecordsPerResource records per resource', async () => {
    const t = await startTestSandbox({ retention: { maxRecordsPerResource: 3 } });
    try {
      for (let i = 0; i < 6; i++) {
        await rest(t.sandbox.urls.http, 'POST', '/v1/data/write/home/temp', { token: ALICE_HOME_TOKEN, body: { data: i } });
      }
      const read = await rest(t.sandbox.urls.http, 'GET', '/v1/data/read/home/temp', { token: ALICE_HOME_TOKEN });
      expect((read.json as Array<{ data: number }>).map((r) => r.data)).toEqual([3, 4, 5]);
    } finally {
      await t.cleanup();
    }
  });

  it('reports a clear error when a port is taken, and cleans up', async () => {
    const t = await startTestSandbox();
    try {
      const port = Number(new URL(t.sandbox.urls.mqtt).port);
      await expect(startSandbox({ dataDir: tempDir(), mqttPort: port })).rejects.toThrow(
        /MQTT port \d+ on 127\.0\.0\.1 is in use: choose another with --mqtt-port/,
      );
    } finally {
      await t.cleanup();
    }
  });
});
