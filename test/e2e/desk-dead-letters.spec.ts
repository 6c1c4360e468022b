/**
 * Dead letters on the profile's card: a QoS 1 write to a resource that does not exist (the sandbox, like
 * Beebotte, closes the connection each time) is set aside, not deleted; the card lists it with Retry and a
 * confirmed Discard.
 */
import type { DeadLetterDTO } from '../../electron/api.js';
import { callFromPage, test, expect } from './host-fixture.js';

test('a refused message shows on the card; Retry queues it again, Discard asks first and then deletes it', async ({
  app,
  page,
}) => {
  test.setTimeout(150_000);
  await page.goto(app.url);
  const row = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Sandbox (demo)"]');
  await expect(row.getByText('connected', { exact: true })).toBeVisible({ timeout: 20_000 });

  const published = await callFromPage<{ status: string }>(page, 'messages.publish', {
    profileId: 'sandbox',
    topic: 'demo/nowhere',
    data: '5',
    write: true,
    qos: 1,
  });
  expect(published.status).toBe('queued');
  const summary = row.getByRole('button', { name: /1 dead letter — set aside, not deleted/ });
  await expect(summary).toBeVisible({ timeout: 60_000 });
  await summary.click();
  const letters = row.locator('[data-dead-letters]');
  await expect(letters.getByText('demo/nowhere', { exact: true })).toBeVisible();
  await expect(letters).toContainText('the broker closed the connection each time demo/nowhere was sent (3 times)');
  await page.screenshot({ path: 'test-results/screenshots/dead-letters.png' });

  // Retry puts it back in the outbox: not fixed, so the broker refuses it again and it comes back here
  await letters.getByRole('button', { name: 'Retry' }).click();
  await expect(summary).toBeHidden();
  await expect(row.getByRole('button', { name: /1 dead letter/ })).toBeVisible({ timeout: 60_000 });
  await row.getByRole('button', { name: /1 dead letter/ }).click();

  // Discard asks first; Keep keeps it
  await letters.getByRole('button', { name: 'Discard…' }).click();
  await expect(letters).toContainText('Discard this message for good?');
  await letters.getByRole('button', { name: 'Keep' }).click();
  expect(await callFromPage<DeadLetterDTO[]>(page, 'outbox.deadLetters', { profileId: 'sandbox' })).toHaveLength(1);
  await letters.getByRole('button', { name: 'Discard…' }).click();
  await letters.getByRole('button', { name: 'Discard', exact: true }).click();
  await expect(row.getByRole('button', { name: /dead letter/ })).toBeHidden();
  expect(await callFromPage<DeadLetterDTO[]>(page, 'outbox.deadLetters', { profileId: 'sandbox' })).toEqual([]);
});
