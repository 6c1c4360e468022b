import { test, expect } from './host-fixture.js';

test('a demo reading arrives, and a message published from the composer comes back in the log', async ({ app, page }) => {
  await page.goto(app.url);
  // the token was traded for a cookie and removed from the address bar
  await expect(page).toHaveURL(/\/$/);

  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected')).toBeVisible();
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await expect(log.locator('[data-topic="demo/temperature"]').first()).toBeVisible();

  const composer = page.getByRole('form', { name: 'Publish composer' });
  // the sandbox is Beebotte-shaped: channel and resource pickers instead of a free topic
  await composer.getByLabel('Channel').fill('demo');
  await composer.getByLabel('Resource').fill('humidity');
  await composer.getByLabel('Data').fill('{"note": "hello from e2e", "v": 42}');
  await composer.getByRole('button', { name: 'Publish' }).click();
  await expect(composer.getByRole('status')).toContainText('Published to demo/humidity');

  await expect(log.getByText('hello from e2e').first()).toBeVisible();
  // the status bar counts what the local store holds
  await expect(page.getByRole('contentinfo', { name: 'Status bar' }).getByText(/^[1-9][\d,]* stored$/)).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/skeleton.png', fullPage: true });
});
