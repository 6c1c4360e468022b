/**
 * A broker outage as the user sees it: a generic MQTT profile on a real Mosquitto, the broker killed
 * (SIGKILL) mid-session, a QoS 1 message published from the composer during the outage, then the broker
 * restarted on the same port. The UI must show the outage (amber "reconnecting", the status bar, the
 * outbox count) and, once back, the queued message must reach an independent subscriber intact.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
let watcher: mqtt.MqttClient | undefined;
const received: { topic: string; payload: string }[] = [];

/** The same broker again: its config (and persisted subscriptions) on the same port. */
async function restart(b: Broker): Promise<void> {
  const conf = path.join(b.dir, 'mosquitto.conf');
  const child: ChildProcess = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  b.process = child; // so stopMosquitto in afterAll ends this one
  await expect
    .poll(() => pub(b, 'outage/probe', { message: 'up' }).then(() => true, () => false), { timeout: 10_000 })
    .toBe(true);
}

async function kill(b: Broker): Promise<void> {
  const exited = new Promise((r) => b.process.once('exit', r));
  b.process.kill('SIGKILL');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  expect(b.process.exitCode !== null || b.process.signalCode !== null).toBe(true);
}

test.beforeAll(async () => {
  broker = await startMosquitto();
  // persist sessions so the watcher's QoS 1 subscription outlives the killed broker (autosave every second);
  // run as ourselves: as root, mosquitto would drop to a user who cannot write our temp dir
  const conf = path.join(broker.dir, 'mosquitto.conf');
  fs.writeFileSync(
    conf,
    fs.readFileSync(conf, 'utf8').replace(
      'persistence false',
      `user ${os.userInfo().username}\npersistence true\npersistence_location ${broker.dir}/\nautosave_interval 1`,
    ),
  );
  // the appended settings apply from the next start: restart once before anyone connects
  await kill(broker);
  await restart(broker);
});
test.afterAll(async () => {
  await new Promise<void>((r) => (watcher ? watcher.end(true, {}, () => r()) : r()));
  await stopMosquitto(broker);
});

test('a killed broker: outage shown, QoS 1 publish queued, delivered once the broker is back', async ({ app, page }) => {
  test.setTimeout(120_000);

  // an independent subscriber with a persistent session (not Apiary's): it will be there after the restart
  watcher = mqtt.connect(broker.url, { clientId: 'outage-watcher', clean: false, reconnectPeriod: 200, protocolVersion: 4 });
  watcher.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
  await new Promise<void>((resolve, reject) => {
    watcher!.once('connect', () => watcher!.subscribe('outage/queued', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    watcher!.once('error', reject);
  });
  // the subscription must be on disk before the kill: wait for an autosave after it
  const since = Date.now();
  const db = path.join(broker.dir, 'mosquitto.db');
  await expect.poll(() => fs.existsSync(db) && fs.statSync(db).mtimeMs > since, { timeout: 10_000 }).toBe(true);

  await page.goto(app.url);
  const row = await addGenericProfile(page, 'Outage broker', broker.url);
  const badge = row.locator('.badge');
  await expect(badge).toHaveAttribute('data-status', 'connected');

  // live: a message from another process shows up
  await pub(broker, 'outage/before', { message: 'still-here' });
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="outage"]')).toBeVisible();

  // ---- the outage
  await kill(broker);
  await expect(badge).toHaveAttribute('data-status', 'reconnecting');
  await expect(badge).toHaveText('reconnecting');
  // amber: the dot takes the theme's warning colour
  const colours = await badge.locator('.dot').evaluate((dot) => ({
    dot: getComputedStyle(dot).backgroundColor,
    warn: (() => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--warn)';
      document.body.append(probe);
      const c = getComputedStyle(probe).color;
      probe.remove();
      return c;
    })(),
  }));
  expect(colours.dot).toBe(colours.warn);
  const status = page.getByRole('contentinfo', { name: 'Status bar' });
  await expect(status.locator('.sess', { hasText: 'Outage broker' })).toContainText('reconnecting');

  // publish QoS 1 during the outage: queued, and counted
  await row.getByRole('button', { name: /^Outage broker/ }).click();
  const composer = page.getByRole('form', { name: 'Publish composer' });
  // the composer keeps its own profile (selecting one on the left only says so): pick the broker there
  await composer.getByLabel('Profile').selectOption({ label: 'Outage broker' });
  await expect(composer.locator('#c-profile option:checked')).toHaveText('Outage broker');
  const content = `queued-during-outage-${Date.now().toString(36)}`;
  await composer.getByLabel('Topic', { exact: true }).fill('outage/queued');
  await composer.getByLabel('raw', { exact: true }).check();
  await composer.getByLabel('Data').fill(content);
  await composer.getByRole('combobox', { name: 'QoS' }).selectOption('1');
  await composer.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(composer.getByRole('status')).toHaveText('Queued in the outbox: sent when Outage broker reconnects');
  const outbox = status.locator('span.num', { hasText: /^outbox / });
  await expect(outbox).toHaveText(/^outbox [1-9]/);
  await expect(outbox).toHaveClass(/warn/);
  await expect(row).toContainText(/[1-9]\d* queued in the outbox/);
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await page.screenshot({ path: 'test-results/screenshots/outage.png' });
  expect(received.filter((m) => m.topic === 'outage/queued')).toEqual([]);

  // ---- the broker comes back on the same port
  await restart(broker);
  await expect(badge).toHaveAttribute('data-status', 'connected', { timeout: 45_000 });
  await expect(outbox).toHaveText('outbox 0', { timeout: 15_000 });
  await expect(row).not.toContainText('queued in the outbox');
  await expect(status.locator('.sess', { hasText: 'Outage broker' })).toContainText('connected');

  // the queued message reached the independent subscriber, content intact, exactly once
  await expect.poll(() => received.filter((m) => m.topic === 'outage/queued').length, { timeout: 20_000 }).toBeGreaterThan(0);
  const queued = received.filter((m) => m.topic === 'outage/queued');
  expect(queued.map((m) => m.payload)).toEqual([content]);
  await page.screenshot({ path: 'test-results/screenshots/outage-recovered.png' });
});
