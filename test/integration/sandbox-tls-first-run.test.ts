/**
 * A first run makes the sandbox's TLS material (two RSA keys, a second or more on a loaded machine). The app's
 * embedded sandbox does not wait for it: its MQTT/TLS port listens at once and a client that connects meanwhile is
 * served once the certificate exists; with `tlsDelayMs` (the desk) the material is made only after that delay or
 * when first needed. `apiary sandbox` (the default) still returns only when the CA file exists, since it prints that
 * path for clients to trust.
 */
import fs from 'node:fs';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandbox, type SandboxHandle } from '../../electron/sandbox/index.js';
import { tempDir } from '../tools/core-fixture.js';

let sandbox: SandboxHandle | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('the sandbox TLS listener on a first run', () => {
  it('in the background: listens at once, serves a client that came early, then the CA file exists', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-'), tlsInBackground: true });
    expect(sandbox.urls.mqtts).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    // connect at once, whether or not the certificate is made yet (no CA to check against until it is)
    await expectServedBeforeTheCa(sandbox);
    await expectVerifiesWithItsCa(sandbox);
  });

  it('with a delay (the desk): makes nothing until a TLS client comes, then serves it with a CA that verifies', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-'), tlsInBackground: true, tlsDelayMs: 600_000 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fs.existsSync(sandbox.caPath)).toBe(false);
    await expectServedBeforeTheCa(sandbox);
    await expectVerifiesWithItsCa(sandbox);
  });

  it('with a delay: asking for tlsReady makes the material (a TLS profile connecting through the core)', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-'), tlsInBackground: true, tlsDelayMs: 600_000 });
    expect(fs.existsSync(sandbox.caPath)).toBe(false);
    await sandbox.tlsReady;
    expect(fs.readFileSync(sandbox.caPath, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('with a short delay: made by itself once the delay is over', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-'), tlsInBackground: true, tlsDelayMs: 200 });
    for (let i = 0; i < 300 && !fs.existsSync(sandbox.caPath); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.existsSync(sandbox.caPath)).toBe(true);
  });

  it('with a short delay: waits while the process is kept busy (a flood), then makes it once calm', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-'), tlsInBackground: true, tlsDelayMs: 200 });
    // ~90 % of the event loop busy for 3 s, in 9 ms slices (a flood as the process feels it)
    const busyUntil = Date.now() + 3000;
    let sawFileWhileBusy = false;
    await new Promise<void>((resolve) => {
      const spin = () => {
        const end = Date.now() + 9;
        while (Date.now() < end) if (fs.existsSync(sandbox!.caPath)) sawFileWhileBusy = true;
        if (Date.now() < busyUntil) setTimeout(spin, 1);
        else resolve();
      };
      spin();
    });
    expect(sawFileWhileBusy).toBe(false);
    for (let i = 0; i < 100 && !fs.existsSync(sandbox.caPath); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.existsSync(sandbox.caPath)).toBe(true);
  });

  it('by default: returns only once the CA file exists (apiary sandbox prints its path)', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-') });
    expect(fs.existsSync(sandbox.caPath)).toBe(true);
    await expect(sandbox.tlsReady).resolves.toBeUndefined();
  });

  it('a socket that never starts its TLS handshake does not stop others', async () => {
    sandbox = await startSandbox({ dataDir: tempDir('apiary-tls-first-'), tlsInBackground: true });
    const port = Number(new URL(sandbox.urls.mqtts!.replace('mqtts', 'http')).port);
    const { connect } = await import('node:net');
    const idle = connect(port, '127.0.0.1');
    await new Promise((resolve) => idle.once('connect', resolve));
    const client = await mqtt.connectAsync(sandbox.urls.mqtts!, {
      username: sandbox.demo!.token,
      password: '',
      rejectUnauthorized: false,
      reconnectPeriod: 0,
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
    idle.destroy();
  });
});

/** Once the CA file exists, the server's certificate verifies against it, as a careful client would check it. */
async function expectVerifiesWithItsCa(handle: SandboxHandle): Promise<void> {
  await handle.tlsReady;
  const ca = fs.readFileSync(handle.caPath, 'utf8');
  expect(ca).toContain('BEGIN CERTIFICATE');
  const checked = await mqtt.connectAsync(handle.urls.mqtts!, {
    username: handle.demo!.token,
    password: '',
    ca,
    reconnectPeriod: 0,
  });
  expect(checked.connected).toBe(true);
  await checked.endAsync();
}

/** A TLS client that cannot check the certificate yet (no CA file) is served all the same. */
async function expectServedBeforeTheCa(handle: SandboxHandle): Promise<void> {
  const client = await mqtt.connectAsync(handle.urls.mqtts!, {
    username: handle.demo!.token,
    password: '',
    rejectUnauthorized: false,
    reconnectPeriod: 0,
    connectTimeout: 30_000,
  });
  try {
    expect(client.connected).toBe(true);
  } finally {
    await client.endAsync();
  }
}
