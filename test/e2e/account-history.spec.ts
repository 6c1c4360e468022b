import fs from 'node:fs';
import { callFromPage, test, expect } from './host-fixture.js';

const HOUR = 3_600_000;

test('History explorer: records written over several hours show as hour statistics; a record edited and deleted from the desk', async ({
  app,
  page,
}) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await page.goto(app.url);
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();

  // a channel of its own on the embedded sandbox, written over REST with its channel token and explicit times:
  // hour 0: 10, 20 · hour 1: 1, 2, 3, 4 · hour 2: 100 (three UTC hours ending at least an hour ago)
  const base = Math.floor((Date.now() - 5 * HOUR) / HOUR) * HOUR;
  await callFromPage(page, 'account.createChannel', {
    profileId: 'sandbox',
    channel: { name: 'e2e_hist', ispublic: false, resources: [{ name: 'level', vtype: 'number', sendOnSubscribe: false }] },
  });
  const { token } = await callFromPage<{ token?: string }>(page, 'account.copyToken', { profileId: 'sandbox', channel: 'e2e_hist' });
  const info = await callFromPage<{ sandbox?: { http?: string } }>(page, 'app.info');
  const values: [number, number][] = [[0, 10], [0, 20], [1, 1], [1, 2], [1, 3], [1, 4], [2, 100]];
  const res = await fetch(`${info.sandbox!.http}/v1/data/write/e2e_hist`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token! },
    body: JSON.stringify({ records: values.map(([h, v], i) => ({ resource: 'level', data: v, ts: base + h * HOUR + (i + 1) * 60_000 })) }),
  });
  expect(res.status).toBe(200);

  // from the resource's row on its channel card to the History section, on that resource
  await page.getByRole('tab', { name: 'Account' }).click();
  const view = page.getByRole('region', { name: 'Account' });
  const card = view.getByRole('article', { name: 'Channel e2e_hist' });
  await card.getByRole('button', { name: 'History of e2e_hist/level' }).click();
  await expect(view.getByRole('tab', { name: 'History' })).toHaveAttribute('aria-selected', 'true');
  const form = view.getByRole('form', { name: 'History query' });
  await expect(form.getByLabel('Resource', { exact: true })).toHaveValue('e2e_hist/level');

  // the default read (last 24 hours, raw) already shows the seven records
  const summary = view.getByTestId('history-summary');
  await expect(summary).toContainText('7 records of e2e_hist/level');

  // hour statistics: count, min, max and mean per hour, and a chart of mean/min/max
  await form.getByLabel('Source', { exact: true }).selectOption('hour-stats');
  await expect(form.getByLabel('Sample rate', { exact: true })).toBeDisabled();
  await expect(form).toContainText('Sample rate: raw records only.');
  await form.getByRole('button', { name: 'Read' }).click();
  await expect(summary).toContainText('3 hours, 7 numeric records');
  const bucket = (h: number, col: string) => view.locator(`[data-bucket="${base + h * HOUR}"] [data-col="${col}"]`);
  await expect(bucket(0, 'count')).toHaveText('2');
  await expect(bucket(0, 'mean')).toHaveText('15');
  await expect(bucket(1, 'count')).toHaveText('4');
  await expect(bucket(1, 'min')).toHaveText('1');
  await expect(bucket(1, 'max')).toHaveText('4');
  await expect(bucket(1, 'mean')).toHaveText('2.5');
  await expect(bucket(2, 'count')).toHaveText('1');
  await expect(bucket(2, 'mean')).toHaveText('100');
  await expect(view.locator('.chart')).toHaveAttribute('data-points', '9');
  await page.screenshot({ path: 'test-results/screenshots/account-history-stats.png' });

  // raw records: edit the 100 to 50 (a value that is not a number is refused, with why, and nothing changes)
  await form.getByLabel('Source', { exact: true }).selectOption('raw');
  await form.getByRole('button', { name: 'Read' }).click();
  await expect(summary).toContainText('7 records');
  const row = (value: string) => view.locator('[data-record]').filter({ has: page.locator('.v', { hasText: new RegExp(`^${value}$`) }) });
  await row('100').getByRole('button', { name: /^Edit record/ }).click();
  const editor = view.getByLabel('New value (JSON)');
  await editor.fill('{oops');
  await view.getByRole('button', { name: 'Save' }).click();
  await expect(view.getByRole('alert').filter({ hasText: 'Not JSON' })).toBeVisible();
  await editor.fill('"warm"');
  await view.getByRole('button', { name: 'Save' }).click();
  await expect(view.getByRole('alert').filter({ hasText: 'does not match the resource type' })).toBeVisible();
  await editor.fill('50');
  await view.getByRole('button', { name: 'Save' }).click();
  await expect(view.getByRole('status').filter({ hasText: 'updated' })).toBeVisible();
  await expect(row('50')).toHaveCount(1);
  await expect(row('100')).toHaveCount(0);

  // delete the 1, after a confirm
  await row('1').getByRole('button', { name: /^Delete record/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this record?' });
  await expect(dialog).toContainText('cannot be undone');
  await dialog.getByRole('button', { name: 'Delete record' }).click();
  await expect(view.getByRole('status').filter({ hasText: 'deleted' })).toBeVisible();
  await expect(summary).toContainText('6 records');
  await expect(row('1')).toHaveCount(0);

  // the statistics follow: hour 1 is 2, 3, 4 and hour 2 is 50
  await form.getByLabel('Source', { exact: true }).selectOption('hour-stats');
  await form.getByRole('button', { name: 'Read' }).click();
  await expect(bucket(1, 'count')).toHaveText('3');
  await expect(bucket(1, 'mean')).toHaveText('3');
  await expect(bucket(2, 'mean')).toHaveText('50');

  // a custom range (local time in the page) that holds hour 1 only, read raw
  const [start, end] = await page.evaluate(
    ([from, to]) => {
      const local = (ms: number) => {
        const d = new Date(ms);
        const p = (n: number) => String(n).padStart(2, '0');
        return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
      };
      return [local(from), local(to)];
    },
    [base + HOUR, base + 2 * HOUR - 1000] as const,
  );
  await form.getByLabel('Custom', { exact: true }).check();
  await form.getByLabel('Start', { exact: true }).fill(start!);
  await form.getByLabel('End', { exact: true }).fill(end!);
  await form.getByLabel('Source', { exact: true }).selectOption('raw');
  await form.getByRole('button', { name: 'Read' }).click();
  await expect(summary).toContainText('3 records');

  // export the query to CSV, with its progress, to a file the host also serves
  await view.getByLabel('Export format').selectOption('csv');
  await view.getByRole('button', { name: 'Export', exact: true }).click();
  const bar = view.getByRole('status', { name: 'History export progress' });
  await expect(bar).toContainText('Exported 3 records to');
  const file = (await bar.locator('.path').textContent())!;
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  expect(lines[0]).toBe('id,time,ts,data');
  expect(lines.slice(1).map((l) => l.split(',')[3])).toEqual(['2', '3', '4']);
  const download = await page.request.get(new URL((await bar.getByRole('link', { name: 'Download' }).getAttribute('href'))!, app.url).href);
  expect(download.status()).toBe(200);
  expect((await download.text()).trim().split(/\r?\n/)).toHaveLength(4);
});
