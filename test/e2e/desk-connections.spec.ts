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
  await expect(page.getByRole('region', { name: 'Topic explorer' }).getByRole('heading')).toHaveText(/home\/kitchen\/(humidity|temperature)/);
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

test('a Beebotte token typed as a generic MQTT username is refused, pointing to the Beebotte kinds', async ({ app, page }) => {
  await page.goto(app.url);
  const dialog = await addGenericProfile(page, 'Token as user', broker.url);
  const username = dialog.getByLabel('Username');
  await username.fill('token_TypedAsUsername000001');
  await expect(dialog.getByText('A Beebotte token is a secret, not a username')).toBeVisible();
  await expect(username).toHaveAttribute('aria-invalid', 'true');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog.getByRole('alert')).toContainText("Choose 'Beebotte cloud' or 'Sandbox'");
  await expect(dialog).toBeVisible(); // nothing saved: the form stays open
  await expect(page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Token as user"]')).toHaveCount(0);

  // an ordinary username is fine
  await username.fill('sensor-user');
  await expect(dialog.getByText('A Beebotte token is a secret, not a username')).toBeHidden();
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Token as user"]')).toBeVisible();
});
