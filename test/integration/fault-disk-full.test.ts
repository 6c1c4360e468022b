/**
 * A full disk under the data dir (a 2 MiB tmpfs, mounted for this test; needs root): the store fails
 * with a clear error, the live view keeps working (messages.batch keeps carrying messages, with
 * local negative ids), nothing crashes, and storing resumes once space is freed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import type { EventPayloads, MessageDTO, ProfileDTO, PublishResult } from '../../electron/api.js';
import { startTestCore, tempDir, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

const mountPoint = tempDir('apiary-fault-full-');
const mounted = tryMount(mountPoint);

function tryMount(dir: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let broker: Mosquitto;
let t: TestCore;
let publisher: MqttClient;
const seen: MessageDTO[] = [];

if (!mounted) console.warn(`fault-disk-full skipped: cannot mount a tmpfs on ${mountPoint} (needs root)`);

/** Writes until the file system says ENOSPC: afterwards not even a small row fits. */
function fillToTheBrim(file: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < 10_000; i++) fs.writeSync(fd, Buffer.alloc(4096, 2));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}

// CI runs as root (.ci/run): there a tmpfs that cannot be mounted is a failure, not a skip
it.runIf(!mounted && !!process.env.CI)('CI can mount the small tmpfs this test fills', () => {
  expect(mounted, `mount -t tmpfs on ${mountPoint} failed`).toBe(true);
});

describe.skipIf(!mounted)('disk full under the data dir', () => {
  const dataDir = path.join(mountPoint, 'data');
  const ballast = path.join(mountPoint, 'ballast');
  const brim = path.join(mountPoint, 'brim');

  beforeAll(async () => {
    broker = await startMosquitto();
    t = await startTestCore({ embeddedSandbox: false, dataDir });
    t.core.bus.subscribe((event, data) => {
      if (event === 'messages.batch') seen.push(...(data as EventPayloads['messages.batch']).messages);
    });
    publisher = await mqtt.connectAsync(broker.url, { clientId: 'filler' });
  });
  afterAll(async () => {
    await publisher?.endAsync(true);
    await t?.close().catch(() => undefined);
    await broker?.stop();
    execFileSync('umount', ['-l', mountPoint], { stdio: 'ignore' });
  });

  const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
  const arrived = (topic: string, text: string) => () => seen.find((m) => m.topic === topic && m.preview.includes(text));

  it('reports a clear store error, keeps the live view, and resumes when space returns', async () => {
    const profile = await call<ProfileDTO>('profiles.save', { name: 'full', kind: 'mqtt', url: broker.url, subscriptions: ['full/#', 'dev/#'] });
    // a paired device on dev/temp: seeing it writes to the settings table, on the ingest path
    t.core.services.devices.upsert({
      id: 'dev1',
      name: 'sensor',
      profileId: profile.id,
      channel: 'dev',
      resource: 'temp',
      pairedAt: Date.now(),
      online: false,
    });
    await call('sessions.connect', { profileId: profile.id });
    await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'connected');

    // 512 KiB of ballast we can delete later, then fill the rest with messages
    fs.writeFileSync(ballast, Buffer.alloc(512 * 1024, 1));
    const chunk = Buffer.alloc(48 * 1024, 'y');
    for (let i = 0; i < 120 && !t.core.services.ingest.lastStoreError; i++) {
      await publisher.publishAsync('full/fill', chunk, { qos: 1 });
      if (i % 5 === 4) await waitFor(() => seen.filter((m) => m.topic === 'full/fill').length >= i + 1, 'fill messages seen');
    }
    const error = await waitFor(() => t.core.services.ingest.lastStoreError, 'a store error');
    expect(error).toMatch(/^messages are not being stored: .*(full|disk)/i);
    expect(t.logs.some((l) => l.startsWith('error messages are not being stored'))).toBe(true);
    expect((await call<{ storeError?: string }>('messages.stats', {})).storeError).toBe(error); // what the UI asks
    fillToTheBrim(brim);

    // SQLite may still fit a small row into space its files already hold; keep sending until even
    // that fails: every message keeps showing up live meanwhile (stored or not)
    let live: MessageDTO | undefined;
    for (let i = 0; i < 300 && !(live && live.id < 0); i++) {
      await publisher.publishAsync('full/after', `still live ${i}`, { qos: 1 });
      live = await waitFor(arrived('full/after', `still live ${i}`), `live message ${i} on a full disk`);
    }
    expect(live!.id).toBeLessThan(0); // not stored: a local id, never a fake stored one
    // a paired device's "last seen" is written on the ingest path: its failure must not break ingest
    await publisher.publishAsync('dev/temp', '{"data": 21.5}', { qos: 1 });
    await publisher.publishAsync('full/after', 'after the device message', { qos: 1 });
    await waitFor(arrived('dev/temp', '21.5'), 'the device message on a full disk');
    await waitFor(arrived('full/after', 'after the device message'), 'ingest still running after the device message');
    const published = await call<PublishResult>('messages.publish', { profileId: profile.id, topic: 'full/out', data: '"live publish"', qos: 0 });
    expect(published.status).toBe('sent');
    expect((await call<{ name: string }>('app.info', {})).name).toBe('Apiary');
    expect((await call<MessageDTO[]>('messages.query', { limit: 5 })).length).toBeGreaterThan(0); // reading still works
    await expect(call('profiles.save', { name: 'one more', kind: 'mqtt', url: broker.url })).rejects.toThrow(/no space left|ENOSPC|full/i);

    // space comes back: storing resumes by itself
    fs.rmSync(ballast);
    fs.rmSync(brim);
    await publisher.publishAsync('full/back', 'stored again', { qos: 1 });
    const back = await waitFor(arrived('full/back', 'stored again'), 'a message after space returned');
    expect(back.id).toBeGreaterThan(0);
    expect(t.core.services.ingest.lastStoreError).toBeNull();
    expect((await call<{ storeError?: string }>('messages.stats', {})).storeError).toBeUndefined();
    expect(t.logs).toContain('info message store writable again');
  });
});
