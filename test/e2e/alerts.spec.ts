import fs from 'node:fs';
import { test, expect } from './host-fixture.js';

declare global {
  interface Window {
    __notes: { title: string; body?: string }[];
    __lastNote?: Notification;
  }
}

test('a rule made in the Alerts screen fires a desktop notification; its click opens the message', async ({
  app,
  page,
  context,
}) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await context.grantPermissions(['notifications'], { origin: new URL(app.url).origin });
  // record every Notification the page constructs (the real API underneath), so the test sees what the OS would
  await page.addInitScript(() => {
    const Original = window.Notification;
    window.__notes = [];
    class Recorded extends Original {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        window.__notes.push({ title, ...(options?.body !== undefined ? { body: options.body } : {}) });
        window.__lastNote = this;
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Original.permission });
    Object.defineProperty(Recorded, 'requestPermission', { value: Original.requestPermission.bind(Original) });
    window.Notification = Recorded as typeof Notification;
  });

  await page.goto(app.url);
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
  await page.getByRole('tab', { name: 'Alerts' }).click();
  const view = page.getByRole('region', { name: 'Alerts' });
  await expect(view.getByText('desktop notifications on', { exact: true })).toBeVisible();
  await expect(view.getByText('No rules yet.')).toBeVisible();
  // the empty list and the help name both kinds of device watch: silent, and offline (connect/disconnect)
  await expect(view.getByText(/stays silent for 10 minutes, or a device that goes offline/)).toBeVisible();
  await expect(view.getByText(/fires when a device comes online or goes offline/)).toBeVisible();
  // one "New rule" on the empty screen (there were three: header, empty list, help panel)
  await expect(view.getByRole('button', { name: /new rule|first rule/i })).toHaveCount(1);

  await view.getByRole('button', { name: 'New rule' }).click();
  const editor = page.getByRole('form', { name: 'Rule editor' });
  await editor.getByLabel('Name', { exact: true }).fill('Demo reading');
  await editor.getByLabel('Topic filter').fill('demo/temperature');

  // the core rejects a bad regex; its words appear next to the pattern field
  await editor.getByLabel('Condition').selectOption('regex');
  await editor.getByLabel('Pattern').fill('(unclosed');
  await editor.getByRole('button', { name: 'Save rule' }).click();
  await expect(editor.getByRole('alert')).toContainText('invalid regex');

  await editor.getByLabel('Condition').selectOption('compare');
  await editor.getByLabel('Operator').selectOption('>');
  await editor.getByLabel('Value', { exact: true }).fill('-100');

  // test against the demo sensor's stored readings before saving
  await editor.getByRole('button', { name: 'Test against recent messages' }).click();
  await expect(editor.getByRole('region', { name: 'Test result' })).toContainText('would fire');

  await editor.getByRole('button', { name: 'Save rule' }).click();
  await expect(editor.getByRole('status')).toContainText('Saved “Demo reading”');
  await expect(view.getByRole('list', { name: 'Rules' })).toContainText('demo/temperature');

  // the demo sensor publishes every second: the rule fires, as a desktop notification
  await expect.poll(() => page.evaluate(() => window.__notes.length), { timeout: 20_000 }).toBeGreaterThan(0);
  const first = await page.evaluate(() => window.__notes[0]!);
  expect(first.title).toBe('Demo reading: demo/temperature');
  expect(Number(first.body)).not.toBeNaN();

  // the unread count shows in the status bar and in the Alerts screen
  await expect(page.getByRole('contentinfo', { name: 'Status bar' })).toContainText(/[1-9]\d* unread alert/);
  await expect(view.getByTestId('alerts-unread')).toContainText('unread');
  await expect(view.getByRole('list', { name: 'Fired alerts' })).toContainText('Demo reading: demo/temperature');
  await page.screenshot({ path: 'test-results/screenshots/alerts.png' });

  // elsewhere in the app, a click on the notification brings back the message that fired it
  await page.getByRole('tab', { name: 'Log' }).click();
  await expect(view).toBeHidden();
  await page.evaluate(() => window.__lastNote!.dispatchEvent(new Event('click')));
  const detail = page.getByRole('region', { name: 'Alert message' });
  await expect(detail.getByTestId('alert-message-topic')).toHaveText('demo/temperature');
  await expect(detail.getByLabel('Payload')).toContainText('"data"');
  await page.screenshot({ path: 'test-results/screenshots/alerts-message.png' });
});

test('without notification permission, alerts show as in-page toasts, and nothing asks for permission on load', async ({
  app,
  page,
}) => {
  await page.addInitScript(() => {
    const w = window as unknown as { __asked: number };
    w.__asked = 0;
    const original = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = (...args: Parameters<typeof Notification.requestPermission>) => {
      w.__asked++;
      return original(...args);
    };
  });
  await page.goto(app.url);
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
  await page.getByRole('tab', { name: 'Alerts' }).click();
  const view = page.getByRole('region', { name: 'Alerts' });
  await expect(view.getByRole('button', { name: 'Enable desktop notifications' })).toBeVisible();

  await view.getByRole('button', { name: 'New rule' }).click();
  const editor = page.getByRole('form', { name: 'Rule editor' });
  await editor.getByLabel('Name', { exact: true }).fill('Any humidity');
  await editor.getByLabel('Topic filter').fill('demo/humidity');
  await editor.getByLabel('Condition').selectOption('any');
  await editor.getByLabel('Title').fill('Humidity on {channel}');
  await editor.getByRole('button', { name: 'Save rule' }).click();
  await expect(editor.getByRole('status')).toContainText('Saved');

  const toasts = page.getByRole('region', { name: 'Alert notifications' });
  await expect(toasts.getByText('Humidity on demo').first()).toBeVisible({ timeout: 20_000 });
  expect(await page.evaluate(() => (window as unknown as { __asked: number }).__asked)).toBe(0);
  await toasts
    .getByRole('button', { name: /Humidity on demo/ })
    .first()
    .click();
  await expect(page.getByRole('region', { name: 'Alert message' }).getByTestId('alert-message-topic')).toHaveText(
    'demo/humidity',
  );
});
