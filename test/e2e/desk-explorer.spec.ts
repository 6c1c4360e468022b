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
});
