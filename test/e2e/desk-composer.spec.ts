import type { Page } from '@playwright/test';
import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

/** The same contract the UI uses, called from the page (the host authenticates it by cookie). */
async function callApi<T>(page: Page, method: string, params: object): Promise<T> {
  return page.evaluate(
    ([m, p]) =>
      new Promise<T>((resolve, reject) => {
        const ws = new WebSocket(`ws://${location.host}/api`);
        ws.onopen = () => ws.send(JSON.stringify({ id: 1, method: m, params: p }));
        ws.onmessage = (e) => {
          const frame = JSON.parse(String(e.data));
          if (frame.id !== 1) return;
          ws.close();
          if (frame.error) reject(new Error(frame.error.message));
          else resolve(frame.result as T);
        };
        ws.onerror = () => reject(new Error('websocket failed'));
      }),
    [method, params] as const,
  );
}

test('publish with write: sent, echoed in the log, persisted for REST read, kept in history and templates', async ({
  app,
  page,
}) => {
  await page.goto(app.url);
  const composer = page.getByRole('form', { name: 'Publish composer' });
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected')).toBeVisible();
  await composer.getByLabel('Channel').fill('demo');
  await composer.getByLabel('Resource').fill('temperature');
  // the resource's vtype guides the editor
  await expect(composer).toContainText('number: a number');
  await composer.getByLabel('Data').fill('{"oops": ');
  await expect(composer.getByText(/^Not JSON/)).toBeVisible();
  await expect(composer.getByRole('button', { name: 'Publish', exact: true })).toBeDisabled();
  await composer.getByLabel('Data').fill('"hot"');
  await expect(composer.getByText(/number expects a number/)).toBeVisible();

  await composer.getByLabel('Data').fill('99.5');
  await composer.getByLabel('write').check();
  await composer.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(composer.getByRole('status')).toContainText('Published to demo/temperature');

  // echoed: the sandbox sends it back to our subscription
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await log.getByLabel('Topic filter').fill('demo/temperature');
  await log.getByLabel('Text filter').fill('99.5');
  const echoed = log.locator('.msg[data-topic="demo/temperature"]').first();
  await expect(echoed).toContainText('99.5');
  await expect(echoed).toContainText('write');

  // persisted: Beebotte's REST read has it
  await expect
    .poll(async () => {
      const points = await callApi<{ data: unknown }[]>(page, 'beebotte.read', {
        profileId: 'sandbox',
        channel: 'demo',
        resource: 'temperature',
        timeRange: '1hour',
        limit: 50,
      });
      return points.some((p) => p.data === 99.5);
    })
    .toBe(true);

  // history and templates
  const history = composer.getByRole('region', { name: 'Publish history' });
  await expect(history.getByRole('button').first()).toContainText('demo/temperature');
  await expect(history.getByRole('button').first()).toContainText('sent');
  await composer.getByRole('button', { name: 'Save current' }).click();
  await composer.getByLabel('Template name').fill('Too warm');
  await composer.getByRole('button', { name: 'Save', exact: true }).click();
  const templates = composer.getByRole('region', { name: 'Templates' });
  await expect(templates.getByRole('button', { name: /^Too warm/ })).toBeVisible();
  await composer.getByLabel('Data').fill('1');
  const published = await history.getByRole('button').count();
  await templates.getByRole('button', { name: /^Too warm/ }).click();
  await expect(composer.getByLabel('Data')).toHaveValue('99.5');
  // a click loads the template into the editor only: it used to submit the composer's form and publish
  await history.getByRole('button').first().click();
  await page.waitForTimeout(500);
  expect(await history.getByRole('button').count()).toBe(published);

  // the explorer's chart of that topic reads the persisted history
  await page.getByRole('tab', { name: 'Explorer' }).click();
  await page.getByRole('region', { name: 'Topic tree' }).locator('[data-topic="demo/temperature"]').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  await expect(explorer.getByRole('radio', { name: '1 h' })).toHaveAttribute('aria-checked', 'true');
  await expect(explorer.getByRole('img', { name: /Chart of demo\/temperature/ })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/composer.png' });
});

test('publishing while disconnected is queued in the outbox, and says so', async ({ app, page }) => {
  await page.goto(app.url);
  const row = page.getByRole('region', { name: 'Connections' }).locator('li').first();
  await expect(row.getByText('connected')).toBeVisible();
  await row.getByRole('button', { name: 'Disconnect' }).click();
  await expect(row.getByText('off')).toBeVisible();
  const composer = page.getByRole('form', { name: 'Publish composer' });
  await composer.getByLabel('Channel').fill('demo');
  await composer.getByLabel('Resource').fill('humidity');
  await composer.getByLabel('Data').fill('55');
  await composer.getByRole('button', { name: 'Publish', exact: true }).click();
  await expect(composer.getByRole('status')).toHaveText(/Queued in the outbox|Not sent: .+/);
  await page.screenshot({ path: 'test-results/screenshots/composer-queued.png' });
});

test('the composer keeps the profile and topic the user chose, and a disabled Publish looks disabled and says why', async ({
  app,
  page,
}) => {
  await page.goto(app.url);
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected')).toBeVisible();
  const composer = page.getByRole('form', { name: 'Publish composer' });
  const publish = composer.getByRole('button', { name: 'Publish', exact: true });
  await expect(composer.getByLabel('Profile')).toHaveValue('sandbox');

  // nothing typed: the topic stays empty (it used to follow the newest topic) and Publish says what is missing
  await expect(page.getByRole('region', { name: 'Topic tree' }).locator('[data-topic="demo/temperature"]')).toBeVisible();
  await expect(composer.getByLabel('Channel')).toHaveValue('');
  await expect(publish).toBeDisabled();
  await expect(composer.getByText('Name a channel and a resource to publish to.')).toBeVisible();
  // disabled looks disabled: no pointer, not the accent colour of an enabled Publish
  await expect(publish).toHaveCSS('cursor', 'not-allowed');
  const disabledBg = await publish.evaluate((b) => getComputedStyle(b).backgroundColor);
  await composer.getByLabel('Channel').fill('demo');
  await composer.getByLabel('Resource').fill('temperature');
  await expect(publish).toBeEnabled();
  await expect(publish).toHaveCSS('cursor', 'pointer');
  const enabledBg = await publish.evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(disabledBg).not.toBe(enabledBg);
  await composer.getByLabel('Data').fill('{"oops": ');
  await expect(publish).toBeDisabled();
  await expect(composer.getByText('Fix the data first: it is not valid JSON.')).toBeVisible();
  await composer.getByLabel('Data').fill('20');

  // a new profile is selected on the left (saving selects it): the composer stays on the sandbox, and says so
  await addGenericProfile(page, 'Lab', broker.url);
  await expect(page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Lab"]')).toHaveClass(/selected/);
  await expect(composer.getByLabel('Profile')).toHaveValue('sandbox');
  await expect(composer.getByLabel('Channel')).toHaveValue('demo');
  await expect(composer.getByLabel('Resource')).toHaveValue('temperature');
  const note = composer.getByRole('note');
  await expect(note).toContainText('Publishes with Sandbox (demo), not Lab selected on the left.');
  await page.screenshot({ path: 'test-results/screenshots/composer-other-profile.png' });

  // switching is deliberate: the note's button
  await note.getByRole('button', { name: 'Use Lab' }).click();
  const lab = await composer.getByLabel('Profile').inputValue();
  expect(lab).not.toBe('sandbox');
  await expect(note).toBeHidden();
  await composer.getByLabel('Topic').fill('');
  await expect(composer.getByText('Type a topic to publish to.')).toBeVisible();
  // a topic arriving on that broker does not fill the empty topic in
  await pub(broker, 'lab/arrived', { message: '1' });
  await expect(page.getByRole('region', { name: 'Topic tree' }).locator('[data-topic="lab"]')).toBeVisible();
  await expect(composer.getByLabel('Topic')).toHaveValue('');
  await expect(publish).toBeDisabled();

  // selecting the sandbox on the left changes nothing in the composer either
  await page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Sandbox (demo)"] button.name').click();
  await expect(composer.getByLabel('Profile')).toHaveValue(lab);
  await expect(composer.getByRole('note')).toContainText('not Sandbox (demo) selected on the left');
});
