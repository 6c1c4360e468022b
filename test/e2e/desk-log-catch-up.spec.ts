import type { ProfileDTO } from '../../electron/api.js';
import { leaveOutTopic } from './batch-tap.js';
import { callFromPage, expect, test } from './host-fixture.js';

/**
 * Under a flood the core sends the page only the newest messages of each batch and counts the rest as `skipped`
 * (they are in the store). A log filtered to one topic must not show only the share of its messages that made it
 * into the batches: it reads its newest page back from the store. Here the test stands between the page and the
 * host and leaves every demo/humidity message out of the batches (counting it as skipped, as the core does), so
 * what the filtered log shows of that topic can only come from the store.
 */
test('a filtered log shows the messages batches left out, read back from the store', async ({ app, page }) => {
  const tap = await leaveOutTopic(page, 'demo/humidity');

  await page.goto(app.url);
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await log.getByRole('textbox', { name: 'Topic filter' }).fill('demo/humidity');
  await expect(log.locator('.msg[data-topic="demo/humidity"]').first()).toBeVisible();
  await expect(log.locator('.msg[data-topic="demo/temperature"]')).toHaveCount(0);

  tap.start();
  const [sandbox] = await callFromPage<ProfileDTO[]>(page, 'profiles.list');
  for (let i = 1; i <= 3; i++) {
    await callFromPage(page, 'messages.publish', { profileId: sandbox!.id, topic: 'demo/humidity', data: `"log-probe-${i}"` });
  }
  await expect.poll(() => tap.leftOut(), { message: 'the probes were left out of the batches' }).toBeGreaterThanOrEqual(3);

  // still leaving them out: only a read from the store can bring them in, once each
  for (let i = 1; i <= 3; i++) await expect(log.locator('.msg', { hasText: `log-probe-${i}` })).toHaveCount(1);
  await expect(log.locator('.msg[data-topic="demo/temperature"]')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screenshots/log-catch-up.png' });
});
