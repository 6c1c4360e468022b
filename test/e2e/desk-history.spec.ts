/**
 * The explorer's chart is prefilled from Beebotte's stored history (REST read), not only from what this
 * session received: records written while Apiary was disconnected show up in the time ranges, and the
 * range picker changes what is read.
 */
import type { ProfileDTO } from '../../electron/api.js';
import { callFromPage, test, expect } from './host-fixture.js';

const WRITTEN = [61, 62, 63, 64, 65];

test('the chart shows records written while disconnected, in the range that holds them', async ({ app, page }) => {
  await page.goto(app.url);
  const connections = page.getByRole('region', { name: 'Connections' });
  const row = connections.locator('li[data-profile="Sandbox (demo)"]');
  await expect(row.getByText('connected', { exact: true })).toBeVisible();
  const tree = page.getByRole('region', { name: 'Topic tree' });
  // the declared resources come from REST first; wait for readings to arrive too
  await expect(tree.locator('[data-topic="demo/humidity"] .count')).toHaveText(/[1-9]/);

  // disconnect: from now on nothing arrives live, so every extra point can only come from REST
  await row.getByRole('button', { name: 'Disconnect' }).click();
  await expect(row.getByRole('button', { name: 'Connect' })).toBeVisible();
  await expect(page.getByRole('button', { name: /^Not connected$/ })).toBeVisible(); // the header says it once

  // a device writes five readings 20–30 minutes ago (REST write with ts, the channel token)
  const info = await callFromPage<{ sandbox?: { http: string } }>(page, 'app.info');
  const profiles = await callFromPage<ProfileDTO[]>(page, 'profiles.list');
  const demo = profiles.find((p) => p.builtIn)!;
  const { token } = await callFromPage<{ token?: string }>(page, 'account.copyToken', { profileId: demo.id, channel: 'demo' });
  const now = Date.now();
  const response = await fetch(`${info.sandbox!.http}/v1/data/write/demo`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Auth-Token': token! },
    body: JSON.stringify({
      records: WRITTEN.map((data, i) => ({ resource: 'humidity', data, ts: now - (30 - 2 * i) * 60_000 })),
    }),
  });
  expect(response.status).toBe(200);

  await tree.locator('[data-topic="demo/humidity"]').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  await expect(explorer.getByRole('heading', { name: 'demo/humidity' })).toBeVisible();
  const ranges = explorer.getByRole('radiogroup', { name: 'Time window' });
  const note = explorer.locator('.note');
  const count = async () => Number((await note.innerText()).replace(/[^\d]/g, ''));

  // the last 5 minutes: what was received (the written records are 20–30 minutes old)
  await ranges.getByRole('radio', { name: '5 min' }).click();
  await expect(note).toHaveText(/\d+ points/);
  const received = await count();

  // the last hour, read over REST too: the five written records plus what was received
  await ranges.getByRole('radio', { name: '1 h' }).click();
  await expect(ranges.getByRole('radio', { name: '1 h' })).toHaveAttribute('aria-checked', 'true');
  await expect(note).toHaveText(`${received + WRITTEN.length} points`);
  await expect(explorer.getByRole('img', { name: /Chart of demo\/humidity/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/explorer-history.png' });

  // a longer range reads again and still holds them; the history list is this session's own
  await ranges.getByRole('radio', { name: '24 h' }).click();
  await expect(note).toHaveText(`${received + WRITTEN.length} points`);
});
