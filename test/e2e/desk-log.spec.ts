import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

test('filter the log by topic pattern and text, and pause it with the space key', async ({ app, page }) => {
  await page.goto(app.url);
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await expect(log.locator('.msg[data-topic="demo/temperature"]').first()).toBeVisible();
  await expect(log.locator('.msg[data-topic="demo/humidity"]').first()).toBeVisible();

  // "/" focuses the topic filter; the core answers the query, live messages keep matching
  await page.locator('body').press('/');
  await expect(log.getByLabel('Topic filter')).toBeFocused();
  await page.keyboard.type('+/humidity');
  await expect(log.locator('.msg[data-topic="demo/temperature"]')).toHaveCount(0);
  await expect(log.locator('.msg[data-topic="demo/humidity"]').first()).toBeVisible();

  // an invalid filter says why
  await log.getByLabel('Topic filter').fill('demo/#/x');
  await expect(log.getByRole('alert')).toContainText('"#" must be a whole level');
  // …and shows no rows: the previous filter's humidity rows used to stay, looking like this filter's results
  await expect(log.locator('.msg')).toHaveCount(0);
  await expect(log.getByTestId('log-filter-invalid')).toContainText('the topic filter above is not valid');
  await log.getByLabel('Topic filter').fill('demo/#');

  // text filter on the payload, through the generic broker
  await addGenericProfile(page, 'Lab', broker.url);
  await pub(broker, 'lab/notes', { message: 'hello-log-filter: the kettle is on' });
  await pub(broker, 'lab/notes', { message: 'something else' });
  await log.getByLabel('Topic filter').fill('lab/#');
  await log.getByLabel('Text filter').fill('KETTLE');
  await expect(log.locator('.msg[data-topic="lab/notes"]')).toHaveCount(1);
  await expect(log.locator('.msg[data-topic="lab/notes"]')).toContainText('hello-log-filter');

  // pause: space (outside any field); new messages are counted, not shown
  await log.getByRole('button', { name: 'Clear' }).click();
  await log.locator('.msg').first().click();
  await page.keyboard.press(' ');
  const resume = log.getByRole('button', { name: /Resume \(\d+ buffered\)/ });
  await expect(resume).toBeVisible();
  await expect(resume).toHaveText(/Resume \([1-9]\d* buffered\)/);
  await page.screenshot({ path: 'test-results/screenshots/log-paused.png' });
  await page.keyboard.press(' ');
  await expect(log.getByRole('button', { name: 'Pause' })).toBeVisible();

  // Enter opens the row under the cursor; the detail decodes the Beebotte envelope
  await log.getByLabel('Topic filter').fill('demo/temperature');
  await log.locator('.msg').first().click();
  await log.getByRole('listbox', { name: 'Messages' }).press('ArrowDown');
  await log.getByRole('listbox', { name: 'Messages' }).press('Enter');
  const detail = log.getByRole('region', { name: 'Message detail' });
  await expect(detail.getByRole('tab', { name: 'Decoded' })).toHaveAttribute('aria-selected', 'true');
  await expect(detail).toContainText('ispublic');
  await detail.getByRole('tab', { name: 'Hex' }).click();
  await expect(detail.getByRole('listbox', { name: 'Hex' }).or(detail.getByRole('list', { name: 'Hex' }))).toContainText(
    '7b 22 64 61',
  );
  await detail.getByRole('tab', { name: 'Diff' }).click();
  await expect(detail).toContainText(/against #\d+|first stored message/);
  await page.screenshot({ path: 'test-results/screenshots/log.png' });
});

test('a 1 MB payload opens without freezing, in bounded DOM, and the log exports', async ({ app, page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-big-'));
  const file = path.join(dir, 'big.json');
  // ~1 MB of JSON: an array of readings, so the pretty view has tens of thousands of lines
  const readings = Array.from({ length: 50_000 }, (_, i) => ({ i, v: Math.round(Math.sin(i) * 1000) / 10 }));
  fs.writeFileSync(file, JSON.stringify({ data: readings }));
  expect(fs.statSync(file).size).toBeGreaterThan(1_000_000);

  await page.goto(app.url);
  await addGenericProfile(page, 'Big', broker.url);
  await pub(broker, 'lab/big', { file });
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await log.getByLabel('Topic filter').fill('lab/big');
  const row = log.locator('.msg[data-topic="lab/big"]').first();
  await expect(row).toContainText('clipped');
  await row.click();

  const detail = log.getByRole('region', { name: 'Message detail' });
  await detail.getByRole('button', { name: /Show all \(/ }).click();
  await expect(detail.getByRole('button', { name: /Show all/ })).toHaveCount(0);
  await detail.getByRole('tab', { name: 'JSON' }).click();
  const json = detail.getByRole('list', { name: 'JSON' });
  await expect(json).toContainText('"data": [');
  // the page still answers, and only the visible lines are in the DOM
  expect(
    await page.evaluate(
      () => new Promise<number>((r) => requestAnimationFrame(() => r(document.querySelectorAll('.line').length))),
    ),
  ).toBeLessThan(200);
  const longest = await page.evaluate(() =>
    Math.max(...[...document.querySelectorAll('.line .t')].map((e) => e.textContent?.length ?? 0)),
  );
  expect(longest).toBeLessThanOrEqual(2000);
  await detail.getByRole('tab', { name: 'Text' }).click();
  const text = detail.getByRole('list', { name: 'Text' });
  await expect(text).toContainText('{"data":[{"i":0');
  // one line of 1 MB: wrapped to the pane, numbered 1 once (it used to be cut into numbered 2,000-character "lines")
  const numbers = await text.locator('.line .n').allTextContents();
  expect(numbers.length).toBeGreaterThan(10);
  expect(numbers.filter((n) => n.trim() !== '')).toEqual(['1']);
  expect(await text.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  await page.screenshot({ path: 'test-results/screenshots/log-large-payload.png' });

  // export what the filter shows, with progress from the core
  await log.getByRole('button', { name: 'Export…' }).click();
  await log.getByRole('dialog', { name: 'Export messages' }).getByRole('button', { name: 'Start export' }).click();
  const status = log.getByRole('status', { name: 'Export progress' });
  await expect(status).toContainText(/Exported 1 messages to/);
  await expect(status.getByRole('link', { name: 'Download' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/log-export.png' });
  fs.rmSync(dir, { recursive: true, force: true });
});
