import type { ProfileDTO } from '../../electron/api.js';
import { leaveOutTopic } from './batch-tap.js';
import { callFromPage, expect, test } from './host-fixture.js';

/**
 * Under a flood the core sends the page only the newest messages of each batch and counts the rest as
 * `skipped` (they are in the store). The selected topic's History and chart must not lose the ones left out:
 * they read them back from the store. Here the test stands between the page and the host and leaves every
 * demo/humidity message out of the batches (counting it as skipped, as the core does), so nothing of that
 * topic arrives live; what the History and the chart show can only come from the catch-up.
 */
test('messages a batch left out still reach the selected topic’s History and chart, read back from the store', async ({ app, page }) => {
  const tap = await leaveOutTopic(page, 'demo/humidity');

  await page.goto(app.url);
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="demo/humidity"] .count')).toHaveText(/[1-9]/);
  await tree.locator('[data-topic="demo/humidity"]').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  await expect(explorer.getByRole('heading', { name: 'demo/humidity' })).toBeVisible();
  const note = explorer.locator('.note');
  await expect(note).toHaveText(/\d+ points/);
  const history = explorer.getByRole('list', { name: 'Topic history' });
  await expect(history).toBeVisible();
  const points = async () => Number((await note.innerText()).replace(/[^\d]/g, ''));

  tap.start();
  const before = await points();
  const [sandbox] = await callFromPage<ProfileDTO[]>(page, 'profiles.list');
  const probes = [71.25, 72.25, 73.25];
  for (const value of probes) {
    await callFromPage(page, 'messages.publish', { profileId: sandbox!.id, topic: 'demo/humidity', data: String(value) });
  }
  await expect.poll(() => tap.leftOut(), { message: 'the probes were left out of the batches' }).toBeGreaterThanOrEqual(probes.length);

  // still leaving them out: only a read from the store can bring them in
  for (const value of probes) await expect(history.getByText(String(value), { exact: true })).toHaveCount(1);
  await expect.poll(points, { message: 'the chart gained the probes' }).toBeGreaterThanOrEqual(before + probes.length);
  await page.screenshot({ path: 'test-results/screenshots/explorer-catch-up.png' });
});
