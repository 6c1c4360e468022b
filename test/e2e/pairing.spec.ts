import fs from 'node:fs';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import { test, expect } from './host-fixture.js';

test('the pairing wizard provisions a simulated board on a pty; it is then listed online', async ({ app, page }) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  let pty: PtyPair | undefined;
  let sim: Sim | undefined;
  try {
    pty = await startPtyPair();
    sim = await startSim(pty.b, ['--ssid', 'Workshop', '--password', 'hunter22', '--name', 'Bench Sim']);
    const hostSide = pty.a;

    await page.goto(app.url);
    await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
    await page.getByRole('tab', { name: 'Devices' }).click();
    const view = page.getByRole('region', { name: 'Devices' });
    await expect(view.getByText('No device paired yet.')).toBeVisible();

    // ptys are never listed: the path is typed by hand
    await view.getByLabel('Port path').fill(hostSide);
    await view.getByRole('button', { name: 'Pair this port' }).click();
    const wizard = page.getByRole('region', { name: 'Pairing wizard' });
    await expect(wizard.getByTestId('device-name')).toHaveText('Bench Sim');
    await expect(wizard).toContainText('speaks the Apiary extension');
    await expect(wizard.locator('[data-step="handshake"]')).toHaveAttribute('data-status', 'done');

    // the device's own scan offers the network; a wrong password fails at the Wi-Fi step with the core's words
    const form = wizard.getByRole('form', { name: 'Provision' });
    await form.getByRole('radio', { name: /Workshop/ }).check();
    await form.getByLabel('Wi-Fi password').fill('wrong-password');
    await form.getByLabel('Channel', { exact: true }).fill('demo');
    await form.getByLabel('Resource', { exact: true }).fill('workbench');
    await page.screenshot({ path: 'test-results/screenshots/devices-wizard.png' });
    await form.getByRole('button', { name: 'Provision' }).click();
    await expect(wizard.locator('[data-step="wifi"]')).toHaveAttribute('data-status', 'failed');
    await expect(wizard.getByRole('alert')).toContainText('Pairing stopped at “Join Wi-Fi” — Could not connect');
    // the Logs tab: what the board printed before it gave up, never the password
    await wizard.getByRole('tab', { name: /^Logs \(\d+\)$/ }).click();
    const deviceLog = wizard.getByRole('tabpanel', { name: 'Device log' });
    await expect(deviceLog).toContainText('[W][wifi]: could not connect to "Workshop"');
    await expect(deviceLog).not.toContainText('wrong-password');
    await page.screenshot({ path: 'test-results/screenshots/devices-failed-logs.png' });
    await wizard.getByRole('tab', { name: 'Reason' }).click();
    await page.screenshot({ path: 'test-results/screenshots/devices-failed.png' });

    // again, with the right password: Wi-Fi, MQTT settings, and the device's first message through the sandbox
    await wizard.getByRole('button', { name: 'Try again' }).click();
    await expect(wizard.getByTestId('device-name')).toHaveText('Bench Sim');
    await form.getByRole('radio', { name: /Workshop/ }).check();
    await form.getByLabel('Wi-Fi password').fill('hunter22');
    await form.getByLabel('Channel', { exact: true }).fill('demo');
    await form.getByLabel('Resource', { exact: true }).fill('workbench');
    await form.getByRole('button', { name: 'Provision' }).click();
    await expect(wizard.getByText('Paired', { exact: true })).toBeVisible({ timeout: 45_000 });
    await expect(wizard.getByTestId('first-message')).toHaveText(/^\d+(\.\d+)?$/);
    // the page the board named once on Wi-Fi (Improv's "next URL"), as a link
    await expect(wizard.getByRole('link', { name: 'http://192.168.4.23/' })).toHaveAttribute('href', 'http://192.168.4.23/');
    for (const step of ['open', 'handshake', 'wifi', 'mqtt', 'first-message']) {
      await expect(wizard.locator(`[data-step="${step}"]`)).toHaveAttribute('data-status', 'done');
    }

    const row = view.getByRole('list', { name: 'Paired devices' }).locator('li[data-device="Bench Sim"]');
    await expect(row).toContainText('demo/workbench');
    await expect(row.locator('[data-state]')).toHaveText('online');
    await page.screenshot({ path: 'test-results/screenshots/devices.png' });

    // the demo channel's token is regenerated: the board holds a dead token; re-provision it, MQTT settings only
    await page.getByRole('tab', { name: 'Account' }).click();
    const account = page.getByRole('region', { name: 'Account' });
    await account.getByRole('article', { name: 'Channel demo' }).getByRole('button', { name: 'Regenerate token…' }).click();
    await page
      .getByRole('dialog', { name: 'Regenerate the token of demo?' })
      .getByRole('button', { name: 'Regenerate token' })
      .click();
    const note = account.getByRole('status', { name: 'Token regenerated' });
    await expect(note).toContainText('Bench Sim');
    // a pty has no USB identity, so Apiary cannot tell whether it is plugged in: the button is offered
    await note.getByRole('button', { name: 'Re-provision' }).click();
    await expect(view.getByRole('heading', { name: 'Re-provision Bench Sim' })).toBeVisible();
    await expect(row.locator('[data-state]')).toHaveText('token revoked');
    await view.getByLabel('Port path').fill(hostSide);
    await view.getByRole('button', { name: 'Pair this port' }).click();
    await expect(form.getByTestId('mqtt-only')).toBeVisible();
    await expect(form.getByLabel('Wi-Fi password')).toHaveCount(0);
    await expect(form.getByLabel('Channel', { exact: true })).toHaveValue('demo');
    await expect(form.getByLabel('Resource', { exact: true })).toHaveValue('workbench');
    for (const step of ['scan', 'wifi'])
      await expect(wizard.locator(`[data-step="${step}"]`)).toHaveAttribute('data-status', 'skipped');
    await form.getByRole('button', { name: 'Send MQTT settings' }).click();
    await expect(wizard.getByText('Paired', { exact: true })).toBeVisible({ timeout: 45_000 });
    await expect(wizard.locator('[data-step="wifi"]')).toHaveAttribute('data-status', 'skipped');
    await expect(wizard.locator('[data-step="mqtt"]')).toHaveAttribute('data-status', 'done');
    // no Wi-Fi step, yet the link: the board named its page when asked for its state (Improv 0x02)
    await expect(wizard.getByTestId('device-page')).toHaveText('http://192.168.4.23/');
    await expect(view.getByRole('list', { name: 'Paired devices' }).locator('li')).toHaveCount(1);
    await expect(row.locator('[data-state]')).toHaveText('online');
    await page.screenshot({ path: 'test-results/screenshots/devices-reprovisioned.png' });
  } finally {
    await sim?.stop();
    await pty?.stop();
  }
});
