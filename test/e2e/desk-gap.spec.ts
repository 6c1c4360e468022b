import type { ProfileDTO } from '../../electron/api.js';
import { tapBatches } from './batch-tap.js';
import { callFromPage, expect, test } from './host-fixture.js';

/**
 * A page that falls behind: the host holds message batches back while its WebSocket is congested, and the next
 * batch says how many messages the page missed (serveContract, unit- and host-tested). Here the test stands
 * between the page and the host and does exactly that, so the page meets a real gap: it must say so and
 * re-sync its window from the store, where the missed messages are.
 */
test('after batches were held back, the log shows a gap marker and the missed messages, re-synced from the store', async ({ app, page }) => {
  let holding = false;
  let held = 0;
  await tapBatches(page, (batch) => {
    if (holding) {
      held += batch.messages.length + batch.skipped;
      return null;
    }
    if (held === 0) return batch;
    const dropped = held;
    held = 0;
    return { ...batch, dropped };
  });

  await page.goto(app.url);
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await expect(log.locator('.msg[data-topic="demo/temperature"]').first()).toBeVisible();
  await expect(log.getByTestId('log-gap')).toHaveCount(0);

  // the page falls behind while three distinctive messages arrive
  holding = true;
  const [sandbox] = await callFromPage<ProfileDTO[]>(page, 'profiles.list');
  for (let i = 1; i <= 3; i++) {
    await callFromPage(page, 'messages.publish', { profileId: sandbox!.id, topic: 'demo/humidity', data: `"gap-probe-${i}"` });
  }
  await expect.poll(() => held, { message: 'the probes reached the held batches' }).toBeGreaterThanOrEqual(3);
  await expect(log.getByText('gap-probe-1')).toHaveCount(0);

  // it catches up: the next batch carries the count; the page marks the gap and shows what it missed
  holding = false;
  const gap = log.getByTestId('log-gap');
  await expect(gap).toBeVisible();
  await expect(gap).toContainText(/Gap: \d+ messages came faster than this page could take them/);
  await expect(gap).toContainText('re-synced from the store');
  for (let i = 1; i <= 3; i++) await expect(log.locator('.msg', { hasText: `gap-probe-${i}` })).toHaveCount(1);
  await page.screenshot({ path: 'test-results/screenshots/log-gap.png' });

  await gap.getByRole('button', { name: 'Dismiss' }).click();
  await expect(gap).toHaveCount(0);
});
