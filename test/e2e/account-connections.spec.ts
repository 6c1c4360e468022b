import fs from 'node:fs';
import mqtt from 'mqtt';
import { callFromPage, test, expect } from './host-fixture.js';

declare global {
  interface Window {
    __notes: { title: string; body?: string }[];
  }
}

test('the Connections view shows a device connect and disconnect, and the offline alert fires', async ({ app, page, context }) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await context.grantPermissions(['notifications'], { origin: new URL(app.url).origin });
  // record every Notification the page constructs (the real API underneath), as the OS would show them
  await page.addInitScript(() => {
    const Original = window.Notification;
    window.__notes = [];
    class Recorded extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.__notes.push({ title, ...(options?.body !== undefined ? { body: options.body } : {}) });
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
    Object.defineProperty(Recorded, 'requestPermission', { value: Original.requestPermission.bind(Original) });
    window.Notification = Recorded as typeof Notification;
  });

  let device: mqtt.MqttClient | null = null;
  try {
    await page.goto(app.url);
    await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
    const info = await callFromPage<{ sandbox?: { mqtt: string } }>(page, 'app.info');
    // the device holds a channel token, as a paired board does (a browser gets it once from copyToken)
    const { token } = await callFromPage<{ token?: string }>(page, 'account.copyToken', { profileId: 'sandbox', channel: 'demo' });
    expect(token).toMatch(/^token_/);

    // an offline rule made in the Alerts screen
    await page.getByRole('tab', { name: 'Alerts' }).click();
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await alerts.getByRole('button', { name: 'New rule' }).click();
    const editor = page.getByRole('form', { name: 'Rule editor' });
    await editor.getByLabel('Name', { exact: true }).fill('Garage offline');
    await editor.getByLabel('Condition').selectOption('presence');
    await expect(editor.getByLabel('Topic filter')).toHaveCount(0); // the account's signaling, not a topic
    await editor.getByLabel('Profile').selectOption({ label: 'All profiles' });
    await editor.getByRole('button', { name: 'Save rule' }).click();
    // every profile is not an account: the editor says to choose one
    await expect(editor.getByRole('alert')).toContainText('choose its profile');
    await editor.getByLabel('Profile').selectOption({ label: 'Sandbox (demo)' });
    await editor.getByLabel('Client id').fill('garage-*');
    await page.screenshot({ path: 'test-results/screenshots/alerts-offline-rule.png' });
    await editor.getByRole('button', { name: 'Save rule' }).click();
    await expect(editor.getByRole('status')).toContainText('Saved “Garage offline”');
    await expect(alerts.getByRole('list', { name: 'Rules' })).toContainText('client garage-* disconnects');

    await page.getByRole('tab', { name: 'Account' }).click();
    const account = page.getByRole('region', { name: 'Account' });
    await account.getByRole('tab', { name: 'Connections' }).click();
    await expect(account.getByText('● Live')).toBeVisible();
    const table = account.getByRole('table', { name: 'Connections' });
    await expect(table.getByText('Apiary’s watcher')).toBeVisible();

    device = await mqtt.connectAsync(info.sandbox!.mqtt, { username: token!, password: '', clientId: 'garage-e2e-1', reconnectPeriod: 0 });
    const row = table.locator('tr[data-clientid="garage-e2e-1"]');
    await expect(row).toBeVisible();
    await expect(row).toContainText('demo');
    await expect(row).toContainText('127.0.0.1');
    await expect(row).toContainText('mqtt');
    const events = account.getByRole('region', { name: 'Recent connects and disconnects' });
    await expect(events).toContainText('▲ connected garage-e2e-1');
    await page.screenshot({ path: 'test-results/screenshots/account-connections.png' });

    // the device loses power: no DISCONNECT, the socket just goes
    device.stream.destroy();
    device = null;
    await expect(row).toHaveCount(0);
    await expect(events).toContainText('▼ disconnected garage-e2e-1');
    await expect.poll(() => page.evaluate(() => window.__notes.map((n) => `${n.title} | ${n.body ?? ''}`)), { timeout: 15_000 }).toContain(
      'Garage offline: garage-e2e-1 disconnected (channel demo, mqtt) | garage-e2e-1 disconnected (channel demo, mqtt)',
    );

    // Drop, behind a confirm: the device is closed by the broker and leaves the list
    const again = await mqtt.connectAsync(info.sandbox!.mqtt, { username: token!, password: '', clientId: 'bench-probe', reconnectPeriod: 0 });
    const closed = new Promise<void>((resolve) => again.once('close', () => resolve()));
    await table.getByRole('button', { name: 'Drop bench-probe' }).click();
    await page.getByRole('dialog', { name: 'Drop this connection?' }).getByRole('button', { name: 'Drop' }).click();
    await closed;
    again.end(true);
    await expect(account.getByRole('status')).toContainText('Dropped bench-probe');
    await expect(table.locator('tr[data-clientid="bench-probe"]')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screenshots/account-connections-after.png' });
  } finally {
    device?.end(true);
  }
});
