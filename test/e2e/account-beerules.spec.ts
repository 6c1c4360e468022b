import fs from 'node:fs';
import mqtt from 'mqtt';
import { callFromPage, test, expect } from './host-fixture.js';

test('a Beerule made in the desk runs when invoked: its message reaches a device; it shows beside the alert rules', async ({
  app,
  page,
}) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  let device: mqtt.MqttClient | null = null;
  try {
    await page.goto(app.url);
    const info = await callFromPage<{ sandbox?: { mqtt: string } }>(page, 'app.info');
    const { token } = await callFromPage<{ token?: string }>(page, 'account.copyToken', {
      profileId: 'sandbox',
      channel: 'demo',
    });
    device = await mqtt.connectAsync(info.sandbox!.mqtt, { username: token!, password: '', reconnectPeriod: 0 });
    await device.subscribeAsync('demo/humidity');
    const received: unknown[] = [];
    device.on('message', (topic, payload) => {
      if (topic === 'demo/humidity') received.push((JSON.parse(payload.toString()) as { data: unknown }).data);
    });

    await page.getByRole('tab', { name: 'Account' }).click();
    const account = page.getByRole('region', { name: 'Account' });
    await account.getByRole('tab', { name: 'Beerules' }).click();
    await expect(account.getByRole('note')).toContainText('Beerules run in the cloud');
    await expect(account.getByText('No Beerules yet.')).toBeVisible();

    await account.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New Beerule' });
    // a bad name is caught before anything is sent
    await form.getByLabel('Rule name').fill('Double it');
    await form.getByLabel('Trigger event').selectOption('publish');
    await form.getByLabel('Trigger channel').fill('demo');
    await form.getByLabel('Trigger resource').fill('temperature');
    await form.getByLabel('Action channel').fill('no way');
    await form.getByLabel('Action resource').fill('humidity');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expect(form.getByRole('alert')).toContainText('Action channel: channel names are');
    await form.getByLabel('Action channel').fill('demo');
    await form.getByLabel('Condition').fill('data > 0');
    await form.getByLabel('Action data').fill('data * 2');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expect(form).toHaveCount(0);

    const rule = account.locator('li[data-rule="Double it"]');
    await expect(rule).toContainText('● On');
    await expect(rule).toContainText('on publish to demo.temperature, if data > 0: publish demo.humidity = data * 2');

    // disabled, it cannot be invoked (and says why); enabled again, it can
    await rule.getByRole('button', { name: 'Disable' }).click();
    await expect(rule).toContainText('○ Off');
    await expect(rule.getByRole('button', { name: 'Invoke…' })).toBeDisabled();
    await rule.getByRole('button', { name: 'Enable' }).click();
    await expect(rule).toContainText('● On');

    await rule.getByRole('button', { name: 'Invoke…' }).click();
    const invoke = rule.getByRole('form', { name: 'Invoke Double it' });
    await expect(invoke.getByLabel('Invoke channel')).toHaveValue('demo');
    await invoke.getByLabel('Invoke data').fill('21');
    await invoke.getByRole('button', { name: 'Invoke' }).click();
    await expect(rule.getByRole('status')).toContainText('Invoked: ran: publish demo.humidity = 42');
    await expect.poll(() => received).toContain(42);

    await rule.getByRole('button', { name: 'Runs' }).click();
    await expect(rule.getByRole('list', { name: 'Runs of Double it' })).toContainText('invoke · ran: publish demo.humidity = 42');
    await page.screenshot({ path: 'test-results/screenshots/account-beerules.png' });

    // beside the local alert rules, with the way back to manage them
    await page.getByRole('tab', { name: 'Alerts' }).click();
    const beside = page.getByRole('region', { name: 'Beerules in the cloud' });
    await expect(beside).toContainText('Double it');
    await expect(beside).toContainText('also while this desktop sleeps');
    await beside.getByRole('button', { name: 'Manage in Account → Beerules' }).click();
    await expect(account.getByRole('tab', { name: 'Beerules' })).toHaveAttribute('aria-selected', 'true');

    await account.locator('li[data-rule="Double it"]').getByRole('button', { name: 'Delete Double it' }).click();
    await page.getByRole('dialog', { name: 'Delete this Beerule?' }).getByRole('button', { name: 'Delete' }).click();
    await expect(account.getByText('No Beerules yet.')).toBeVisible();
  } finally {
    await device?.endAsync();
  }
});
