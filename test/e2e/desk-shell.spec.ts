import { test, expect } from './host-fixture.js';

test('command palette, keyboard tabs, status bar and tray header', async ({ app, page }) => {
  await page.goto(app.url);
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected')).toBeVisible();

  // the header stands in for the tray; the status bar sums up sessions and traffic
  await expect(page.getByRole('button', { name: /Connected/ }).first()).toBeVisible();
  const status = page.getByRole('contentinfo', { name: 'Status bar' });
  await expect(status).toContainText('msg/s');
  await expect(status).toContainText('outbox 0');
  await expect(status).toContainText(/unread alert/);

  // Ctrl-K: type, Enter
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Command palette' });
  await expect(palette).toBeVisible();
  await page.keyboard.type('go log');
  await page.screenshot({ path: 'test-results/screenshots/palette.png' });
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page.getByRole('tab', { name: 'Log' })).toHaveAttribute('aria-selected', 'true');

  // disconnect from the palette; the profile says "off" in words, not only in color
  await page.keyboard.press('Control+k');
  await page.keyboard.type('disconnect sandbox');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('off')).toBeVisible();
  await page.keyboard.press('Control+k');
  await page.keyboard.type('connect sandbox');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected')).toBeVisible();

  // the composer collapses and comes back
  await page.getByRole('button', { name: 'Collapse the composer' }).click();
  await expect(page.getByRole('form', { name: 'Publish composer' })).toBeHidden();
  await page.getByRole('button', { name: 'Open the composer' }).click();
  await expect(page.getByRole('form', { name: 'Publish composer' })).toBeVisible();

  // every tab mounts its screen
  for (const [i, name] of ['Devices', 'Alerts', 'Account'].entries()) {
    await page.locator('body').press(`Alt+${i + 3}`);
    await expect(page.getByRole('tab', { name })).toHaveAttribute('aria-selected', 'true');
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-results/screenshots/${name.toLowerCase()}.png` });
  }
});

test('dark theme follows the OS', async ({ app, page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(app.url);
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await tree.locator('[data-topic="demo/temperature"]').click();
  await expect(page.getByRole('img', { name: /Chart of demo\/temperature/ })).toBeVisible();
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(22, 21, 20)');
  await page.waitForTimeout(1200);
  await page.screenshot({ path: 'test-results/screenshots/explorer-dark.png' });
  await page.getByRole('tab', { name: 'Log' }).click();
  await page.getByRole('region', { name: 'Message log' }).locator('.msg').first().click();
  await page.screenshot({ path: 'test-results/screenshots/log-dark.png' });
});
