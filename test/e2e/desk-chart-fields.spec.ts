import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

test('a chart draws {"v": …} payloads (first numeric field), and a second series can be added', async ({ app, page }) => {
  await page.goto(app.url);
  await addGenericProfile(page, 'Lab', broker.url);
  for (const v of [24.96, 25.1, 25.4]) await pub(broker, 'lab/reading', { message: JSON.stringify({ v, unit: 'C' }) });
  for (const t of [3, 4]) await pub(broker, 'lab/other', { message: JSON.stringify({ id: 'x', power: { w: t } }) });

  const tree = page.getByRole('region', { name: 'Topic tree' });
  await tree.locator('[data-topic="lab/reading"]').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  const chart = explorer.getByRole('img', { name: /Chart of lab\/reading/ });
  // issue 15: this said "No numeric values"; now the first numeric field (v) is drawn, every reading a point
  await expect(chart).toHaveAttribute('data-points', '3');
  await expect(explorer.getByRole('combobox', { name: 'Field of lab/reading' })).toContainText('first numeric (v)');
  await expect(explorer.getByText('No numeric values')).toHaveCount(0);

  // a live reading adds a point
  await pub(broker, 'lab/reading', { message: '{"v": 26}' });
  await expect(chart).toHaveAttribute('data-points', '4');

  // a second series: another topic, its first numeric field found inside it
  await explorer.getByRole('button', { name: '+ Series' }).click();
  const picker = explorer.getByRole('form', { name: 'Add a series' });
  await expect(picker.getByRole('button', { name: 'Add' })).toBeDisabled();
  await picker.getByLabel('Topic').fill('lab/other');
  await picker.getByLabel('Field').fill('power..w');
  await expect(picker.getByRole('button', { name: 'Add' })).toBeDisabled();
  await expect(picker).toContainText('expected a name');
  await picker.getByLabel('Field').fill('power.w');
  await picker.getByRole('button', { name: 'Add' }).click();
  await expect(explorer.getByRole('list', { name: 'Series' }).getByRole('listitem')).toHaveCount(3); // 2 lines + the picker
  await expect(chart).toHaveAttribute('data-points', '6');
  await expect(chart).toHaveAttribute('aria-label', /lab\/other · power\.w/);

  // the time window reloads both lines from the store
  await explorer.getByRole('radio', { name: '5 min' }).click();
  await expect(explorer.getByRole('radio', { name: '5 min' })).toHaveAttribute('aria-checked', 'true');
  await expect(chart).toHaveAttribute('data-points', '6');
  await page.screenshot({ path: 'test-results/screenshots/chart-fields.png' });
});
