import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

// A level's table is built a screenful first and the rest just after (issue 19), and the Explorer stays mounted while
// the Log is shown: every topic must still be there, and the table where the user left it.
test('a wide level opens as a table of every topic under it, and keeps its place across the Log screen', async ({
  app,
  page,
}) => {
  await page.goto(app.url);
  await addGenericProfile(page, 'Wide broker', broker.url);
  for (let i = 0; i < 60; i++) await pub(broker, `wide/t${String(i).padStart(2, '0')}`, { message: String(i) });

  const tree = page.getByRole('region', { name: 'Topic tree' });
  await tree.locator('[data-topic="wide"] .name').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  const table = explorer.getByRole('table', { name: 'Topics under wide/' });
  // the header row and one row per topic
  await expect(table.getByRole('row')).toHaveCount(61);
  const last = table.getByRole('row', { name: /t59/ });
  await last.scrollIntoViewIfNeeded();
  await expect(last.getByRole('cell').nth(1)).toHaveText('59');

  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(page.getByRole('region', { name: 'Message log' })).toBeVisible();
  await expect(explorer).toBeHidden();
  await page.getByRole('tab', { name: 'Explorer' }).click();
  await expect(last).toBeInViewport();

  // a row opens its topic
  await last.getByRole('button', { name: 't59' }).click();
  await expect(explorer.getByRole('heading', { name: 'wide/t59' })).toBeVisible();
});

// After a mouse click into a level's table the focus stays in it; the order may freeze only for the keyboard (its
// rows are reused in place): a click must not stop the level from showing what arrives next.
test('a level opened with the mouse from its parent’s table still shows topics that arrive after', async ({ app, page }) => {
  await page.goto(app.url);
  await addGenericProfile(page, 'Level broker', broker.url);
  for (const room of ['kitchen', 'hall']) await pub(broker, `house/${room}/temp`, { message: '20' });

  const tree = page.getByRole('region', { name: 'Topic tree' });
  await tree.locator('[data-topic="house"] .name').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  await explorer.getByRole('table', { name: 'Topics under house/' }).getByRole('button', { name: 'kitchen' }).click();
  const kitchen = explorer.getByRole('table', { name: 'Topics under house/kitchen/' });
  await expect(kitchen.getByRole('row')).toHaveCount(2);

  await pub(broker, 'house/kitchen/humidity', { message: '41' });
  await expect(kitchen.getByRole('row', { name: /humidity/ })).toBeVisible();
  await expect(kitchen.getByRole('row')).toHaveCount(3);
});
