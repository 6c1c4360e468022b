import type { Page } from '@playwright/test';
import { test, expect } from './host-fixture.js';
import { pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

async function addGenericProfile(page: Page, name: string, url: string) {
  const connections = page.getByRole('region', { name: 'Connections' });
  await connections.getByRole('button', { name: '+ Add' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a profile' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByText('Generic MQTT').click();
  await dialog.getByLabel('Broker URL').fill(url);
  await dialog.getByLabel('MQTT version').selectOption('5');
  return dialog;
}

test('add a generic MQTT profile, connect, and watch its topic tree fill', async ({ app, page }) => {
  await page.goto(app.url);
  const dialog = await addGenericProfile(page, 'Bench broker', broker.url);
  await page.screenshot({ path: 'test-results/screenshots/connections-form.png' });
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Bench broker"]');
  await expect(row).toContainText(`127.0.0.1:${broker.port}`);
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible();

  // a device publishes from another process
  for (const [topic, value] of [
    ['home/kitchen/temperature', '22.5'],
    ['home/kitchen/humidity', '41'],
    ['home/garage/door', 'open'],
  ] as const) {
    await pub(broker, topic, { message: value });
  }
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="home"]')).toBeVisible();
  await expect(tree.locator('[data-topic="home/kitchen"]')).toBeVisible();
  await tree.locator('[data-topic="home/kitchen"] button[aria-label="Expand"]').click();
  await expect(tree.locator('[data-topic="home/kitchen/temperature"]')).toContainText('22.5');

  // arrow keys walk the tree; Enter opens the topic
  await tree.locator('[data-topic="home/kitchen/temperature"]').click();
  await tree.getByRole('tree').press('ArrowDown');
  await tree.getByRole('tree').press('Enter');
  await expect(page.getByRole('region', { name: 'Topic explorer' }).getByRole('heading')).toHaveText(
    /home\/kitchen\/(humidity|temperature)/,
  );
  await page.screenshot({ path: 'test-results/screenshots/connections.png' });

  // edit keeps the profile; remove asks first
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Bench broker' });
  await expect(edit.getByLabel('Broker URL')).toHaveValue(broker.url);
  await edit.getByRole('button', { name: 'Cancel' }).click();
  await row.getByRole('button', { name: 'Remove…' }).click();
  await expect(row).toContainText('Remove Bench broker and its stored secret?');
  await row.getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(row).toBeHidden();
});

test('a broker that refuses the connection shows why, next to the profile', async ({ app, page }) => {
  await page.goto(app.url);
  // a port nobody listens on: take the broker's and add one that is closed
  const dialog = await addGenericProfile(page, 'Nowhere', 'mqtt://127.0.0.1:9');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  const row = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Nowhere"]');
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.locator('.error, .warn').first()).toBeVisible();
  await expect(row.locator('.error, .warn').first()).toHaveText(/\S{8,}/);
  await page.screenshot({ path: 'test-results/screenshots/connections-error.png' });
});

test('a Beebotte token typed as a generic MQTT username is kept in the keychain, never shown again', async ({ app, page }) => {
  const token = 'token_TypedAsUsername000001';
  // kept where the password goes: the keychain, or this run's memory when there is none (ask at connect)
  const kept = /a token — kept (in the keychain|for this run only)/i;
  await page.goto(app.url);
  const dialog = await addGenericProfile(page, 'Token as user', broker.url);
  const username = dialog.getByRole('textbox', { name: /^Username/ });
  await username.fill(token);
  await expect(dialog.getByText(kept)).toBeVisible();
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Token as user"]');
  await expect(row).toBeVisible();

  // after a reload the page has only what the core sent: that a secret username is set, not the token
  await page.reload();
  await row.hover(); // Edit shows on the hovered (or selected) row
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Token as user' });
  await expect(edit.getByRole('textbox', { name: /^Username/ })).toHaveValue('');
  await expect(edit.getByRole('textbox', { name: /^Username/ })).toHaveAttribute(
    'placeholder',
    /a token — kept .*; leave empty to keep it/,
  );
  await expect(edit.getByText('A secret username (a token) is set')).toBeVisible();
  expect(await page.content()).not.toContain(token);
  // saved with the field left empty: the stored one stays, and the session connects with it
  await edit.getByRole('button', { name: 'Save profile' }).click();
  await expect(edit).toBeHidden();
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: 'Edit' }).click();
  await expect(
    page.getByRole('dialog', { name: 'Edit Token as user' }).getByText('A secret username (a token) is set'),
  ).toBeVisible();
  await page.getByRole('dialog', { name: 'Edit Token as user' }).getByRole('button', { name: 'Cancel' }).click();

  // an ordinary username replaces it, and is shown as it is
  await row.getByRole('button', { name: 'Edit' }).click();
  const again = page.getByRole('dialog', { name: 'Edit Token as user' });
  await again.getByRole('textbox', { name: /^Username/ }).fill('sensor-user');
  await expect(again.getByText(kept)).toBeHidden();
  await again.getByRole('button', { name: 'Save profile' }).click();
  await expect(again).toBeHidden();
  await row.getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByRole('dialog', { name: 'Edit Token as user' }).getByRole('textbox', { name: /^Username/ })).toHaveValue(
    'sensor-user',
  );
});

test('profile form: an error shows next to its field or at the top, and Save stays in view', async ({ app, page }) => {
  // a short window: the form scrolls (errors used to sit at its bottom and push Save out of sight)
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.goto(app.url);
  await page.getByRole('region', { name: 'Connections' }).getByRole('button', { name: '+ Add' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a profile' });
  const save = dialog.getByRole('button', { name: 'Save profile' });
  await dialog.getByText('Generic MQTT').click();
  await dialog.getByLabel('Broker URL').fill('localhost:1883');
  await dialog.getByLabel('Client id').scrollIntoViewIfNeeded();
  await expect(save).toBeInViewport();
  await save.click();

  // the form's own check: at the field it concerns, which takes the focus; Save says why it did nothing
  const name = dialog.getByLabel('Name', { exact: true });
  await expect(name).toBeFocused();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  // the field, its reason and Save all in sight at once
  await expect(name).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByText('Give the profile a name.')).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByText('Not saved: fix the marked field.')).toBeVisible();
  await expect(save).toBeInViewport({ ratio: 1 });
  await name.fill('Lab');
  await save.click();
  const url = dialog.getByLabel('Broker URL');
  await expect(url).toBeFocused();
  await expect(url).toBeInViewport({ ratio: 1 });
  await expect(dialog.getByText('The broker URL looks like mqtt://host:1883')).toBeInViewport({ ratio: 1 });
  await expect(save).toBeInViewport({ ratio: 1 });
  await page.screenshot({ path: 'test-results/screenshots/connections-form-error.png' });

  // the core's refusal: at the top, in view even with the form scrolled to its end
  await url.fill('mqtt://user:pw@127.0.0.1:1883');
  await dialog.getByLabel('Client id').scrollIntoViewIfNeeded();
  await save.click();
  const refusal = dialog.getByRole('alert').filter({ hasText: 'Not saved:' });
  await expect(refusal).toContainText('put the username and password in their fields');
  await expect(refusal).toBeInViewport({ ratio: 1 });
  await expect(save).toBeInViewport({ ratio: 1 });
  await url.fill(broker.url);
  await save.click();
  await expect(dialog).toBeHidden();
});
