import { test, expect } from './host-fixture.js';

test('settings are saved by the core and survive a reload', async ({ app, page }) => {
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog.getByLabel(/Keep at most/)).toHaveValue('1000000');
  await dialog.getByLabel(/Keep at most/).fill('5000');
  await dialog.getByLabel(/a minute/).fill('3');
  await dialog.getByLabel(/Launch at login/).check();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Saved.');
  await page.screenshot({ path: 'test-results/screenshots/settings.png' });

  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(dialog.getByLabel(/Keep at most/)).toHaveValue('5000');
  await expect(dialog.getByLabel(/a minute/)).toHaveValue('3');
  await expect(dialog.getByLabel(/Launch at login/)).toBeChecked();

  // a value out of range is stopped by the form before it reaches the core, and nothing is saved
  await dialog.getByLabel(/Keep at most/).fill('10');
  await dialog.getByRole('button', { name: 'Save' }).click();
  expect(await dialog.getByLabel(/Keep at most/).evaluate((el) => (el as HTMLInputElement).validity.rangeUnderflow)).toBe(true);
  await page.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(dialog.getByLabel(/Keep at most/)).toHaveValue('5000');
});
