import { test, expect } from './host-fixture.js';

test('the explorer tree fills from the sandbox, and a topic opens with its history and chart', async ({ app, page }) => {
  await page.goto(app.url);
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="demo"]')).toBeVisible();
  const temperature = tree.locator('[data-topic="demo/temperature"]');
  await expect(temperature).toBeVisible();
  // the count column fills as readings arrive
  await expect(temperature.locator('.count')).toHaveText(/\d/);

  await temperature.click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  await expect(explorer.getByRole('heading', { name: 'demo/temperature' })).toBeVisible();
  await expect(explorer.getByRole('img', { name: /Chart of demo\/temperature/ })).toBeVisible();
  await expect(explorer.getByRole('list', { name: 'Topic history' }).locator('button').first()).toBeVisible();
  await expect(explorer.getByRole('region', { name: 'Message detail' })).toContainText('demo/temperature');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: 'test-results/screenshots/explorer.png' });

  // the chosen view tab stays while new readings arrive (it used to snap back to Decoded within a second)
  const detail = explorer.getByRole('region', { name: 'Message detail' });
  const shownId = async () => Number((/#(\d+)/.exec((await detail.locator('.meta').textContent()) ?? '') ?? [])[1]);
  const newestRow = explorer.getByRole('list', { name: 'Topic history' }).locator('button').first();
  await detail.getByRole('tab', { name: 'Hex' }).click();
  const before = await shownId();
  await expect.poll(shownId, { timeout: 10_000 }).toBeGreaterThan(before);
  await expect(detail.getByRole('tab', { name: 'Hex' })).toHaveAttribute('aria-selected', 'true');

  // "Follow newest" off: the shown message holds while the history grows
  const follow = explorer.getByRole('checkbox', { name: 'Follow newest' });
  await expect(follow).toBeChecked();
  await follow.uncheck();
  const held = await shownId();
  const newestText = await newestRow.textContent();
  await expect(newestRow).not.toHaveText(newestText ?? '', { timeout: 10_000 });
  expect(await shownId()).toBe(held);
  await expect(detail.getByRole('tab', { name: 'Hex' })).toHaveAttribute('aria-selected', 'true');
  // …and on again, it shows the newest
  await follow.check();
  await expect.poll(shownId).toBeGreaterThan(held);
});
