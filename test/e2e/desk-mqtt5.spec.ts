import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test, expect } from './host-fixture.js';
import { pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

const run = promisify(execFile);
let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

test('MQTT 5: live subscriptions from the UI, user properties in the detail, retained rows marked', async ({ app, page }) => {
  await page.goto(app.url);
  // a generic MQTT 5 profile, added as a user would
  const connections = page.getByRole('region', { name: 'Connections' });
  await connections.getByRole('button', { name: '+ Add' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a profile' });
  await dialog.getByLabel('Name', { exact: true }).fill('V5');
  await dialog.getByText('Generic MQTT').click();
  await dialog.getByLabel('Broker URL').fill(broker.url);
  await dialog.getByLabel('MQTT version').selectOption('5');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();
  const row = connections.locator('li[data-profile="V5"]');
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: 'V5' }).click();

  // the subscriptions panel (folded until opened): drop "#", then nothing on live/… arrives until live/# is added
  await row.locator('summary', { hasText: 'Subscriptions' }).click();
  const subs = row.getByRole('region', { name: 'Subscriptions of V5' });
  await subs.getByRole('button', { name: 'Remove subscription #' }).click();
  await expect(subs.locator('li[data-filter="#"]')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Log' }).click();
  const log = page.getByRole('region', { name: 'Message log' });
  await pub(broker, 'live/before', { message: 'not subscribed yet' });
  await subs.getByLabel('Topic filter to subscribe to').fill('live/#');
  await subs.getByRole('button', { name: 'Subscribe' }).click();
  await expect(subs.locator('li[data-filter="live/#"]')).toBeVisible();
  await run(
    'mosquitto_pub',
    [
      '-h',
      '127.0.0.1',
      '-p',
      String(broker.port),
      '-V',
      'mqttv5',
      '-q',
      '1',
      '-t',
      'live/props',
      '-m',
      'with properties',
      '-D',
      'publish',
      'user-property',
      'site',
      'north',
      '-D',
      'publish',
      'content-type',
      'text/plain',
    ],
    { timeout: 10_000 },
  );
  const propsRow = log.locator('.msg[data-topic="live/props"]');
  await expect(propsRow).toHaveCount(1);
  await expect(log.locator('.msg[data-topic="live/before"]')).toHaveCount(0);

  // the detail lists the user properties
  await propsRow.click();
  const detail = page.getByRole('region', { name: 'Message detail' });
  await expect(detail).toContainText('1 user property');
  await detail.getByRole('tab', { name: 'Properties' }).click();
  const table = detail.getByRole('table', { name: 'User properties' });
  await expect(table).toContainText('site');
  await expect(table).toContainText('north');
  await expect(detail).toContainText('text/plain');

  // a retained message arrives marked when a new subscription brings it
  await pub(broker, 'kept/door', { message: 'closed' }, true);
  await subs.getByLabel('Topic filter to subscribe to').fill('kept/#');
  await subs.getByRole('button', { name: 'Subscribe' }).click();
  const retainedRow = log.locator('.msg[data-topic="kept/door"]');
  await expect(retainedRow).toHaveAttribute('data-retained', 'true');
  await expect(retainedRow.getByText('retained', { exact: true })).toBeVisible();
  // …and clearing it from the panel says how many, then none is left
  await subs.locator('li[data-filter="kept/#"]').getByRole('button', { name: 'Clear retained…' }).click();
  await subs.getByRole('button', { name: 'Clear 1' }).click();
  await expect(subs.getByRole('status')).toContainText('Cleared 1 retained message');
});
