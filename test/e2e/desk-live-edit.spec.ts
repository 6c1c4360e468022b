/**
 * Issue 14, items 3 and 6, as a user meets them: editing the URL of a profile that keeps failing reconnects it
 * with the new settings (no Disconnect/Connect by hand), and a topic's History and chart load while a bounded
 * ~10,000 msg/s flood arrives; the status bar's "received" survives a reload.
 */
import net from 'node:net';
import mqtt from 'mqtt';
import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

test('saving a corrected URL reconnects a failing profile and says so', async ({ app, page }) => {
  await page.goto(app.url);
  const wrong = `mqtt://127.0.0.1:${await closedPort()}`;
  const row = await addGenericProfile(page, 'Typo broker', wrong, false);
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.getByText('reconnecting', { exact: true })).toBeVisible();
  await expect(row.locator('.warn').first()).toContainText('127.0.0.1');

  // another wrong port: the card says the session restarted, and shows no error of the first URL
  const wrong2 = `mqtt://127.0.0.1:${await closedPort()}`;
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Typo broker' });
  await edit.getByLabel('Broker URL').fill(wrong2);
  await edit.getByRole('button', { name: 'Save profile' }).click();
  await expect(edit).toBeHidden();
  await expect(row.getByRole('status').filter({ hasText: 'Reconnecting with the new settings' })).toBeVisible();
  await expect(row).not.toContainText(wrong.replace('mqtt://', ''));

  await row.getByRole('button', { name: 'Edit' }).click();
  await edit.getByLabel('Broker URL').fill(broker.url);
  await edit.getByRole('button', { name: 'Save profile' }).click();
  await expect(edit).toBeHidden();
  // no Disconnect/Connect: the session restarts with the new URL, and the old URL's error is gone
  await expect(row.getByText('connected', { exact: true })).toBeVisible();
  await expect(row).toContainText(`127.0.0.1:${broker.port}`);
  await expect(row).not.toContainText(wrong2.replace('mqtt://', ''));
  await expect(row).not.toContainText('Reconnecting with the new settings');
  await expect(row.getByRole('button', { name: 'Disconnect' })).toBeVisible();
});

test('History and the chart load under a flood; "received" survives a reload', async ({ app, page }) => {
  test.setTimeout(90_000);
  await page.goto(app.url);
  await addGenericProfile(page, 'Flood broker', broker.url);
  const publisher = await mqtt.connectAsync(broker.url, { clientId: 'e2e-flood' });
  const TOTAL = 60_000; // bounded: about 6 s at 10,000 msg/s
  let sent = 0;
  let stop = false;
  const flood = (async () => {
    while (!stop && sent < TOTAL) {
      for (let i = 0; i < 100; i++) publisher.publish('flood/data', `{"data": 21.0, "seq": ${sent++}}`, { qos: 0 });
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  try {
    const tree = page.getByRole('region', { name: 'Topic tree' });
    await expect(tree.locator('[data-topic="flood"]')).toBeVisible();
    const expand = tree.locator('[data-topic="flood"] button[aria-label="Expand"]');
    if (await expand.count()) await expand.click();
    await tree.locator('[data-topic="flood/data"]').click();
    const explorer = page.getByRole('region', { name: 'Topic explorer' });
    await expect(explorer.getByRole('heading', { name: 'flood/data' })).toBeVisible();
    // the History answers while the flood goes on, and the chart plots the data field
    await expect(explorer.getByText(/^\d+ recent$/)).toBeVisible({ timeout: 20_000 });
    await expect(explorer.locator('.note')).toHaveText(/^[1-9][\d,]* points$/);
    await expect(explorer.getByRole('img', { name: /Chart of flood\/data/ })).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/explorer-flood.png' });
  } finally {
    stop = true;
    await flood;
    await publisher.endAsync();
  }
  const status = page.getByRole('contentinfo', { name: 'Status bar' });
  // "11.2 k received": the status bar's count, with its unit
  const received = async () => {
    const m = (await status.getByText(/ received$/).innerText()).match(/([\d.,]+)\s*(k|M)?/);
    return m ? Number(m[1]!.replace(/,/g, '')) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1) : 0;
  };
  await expect.poll(received).toBeGreaterThan(1000);
  const before = await received();
  await page.reload();
  await expect.poll(received).toBeGreaterThanOrEqual(before); // counted by the core, not since the page loaded
});

test('a topic with one retained message shows its age, not a rate; the rate says how it is counted', async ({ app, page }) => {
  await pub(broker, 'porch/light', { message: '{"data": 1}' }, true);
  await page.goto(app.url);
  await addGenericProfile(page, 'Retained broker', broker.url);
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="porch"]')).toBeVisible();
  const expand = tree.locator('[data-topic="porch"] button[aria-label="Expand"]');
  if (await expand.count()) await expand.click();
  const act = tree.locator('[data-topic="porch/light"] .act');
  await expect(act).toHaveAttribute('title', /messages received in the last 10 s ÷ 10/);
  // across the next seconds (the old 1-s bucket said "1.0/s" here), never a rate
  for (let i = 0; i < 3; i++) {
    await expect(act).not.toHaveText(/\/s$/);
    await page.waitForTimeout(700);
  }
  await tree.locator('[data-topic="porch/light"]').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  await expect(explorer.locator('dd', { hasText: /\/s$/ })).toHaveText('0/s');
});
