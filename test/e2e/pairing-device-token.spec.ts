import fs from 'node:fs';
import type { KnownDevice } from '../../electron/api.js';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import { callFromPage, test, expect } from './host-fixture.js';

test('pairing in the desk with an IAM token of its own: the Devices list and the Tokens section name it, Revoke marks it revoked (the lockout itself: test/integration/pairing-device-token.test.ts)', async ({
  app,
  page,
  context,
}) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  let pty: PtyPair | undefined;
  let sim: Sim | undefined;
  try {
    pty = await startPtyPair();
    sim = await startSim(pty.b, ['--ssid', 'Workshop', '--password', 'hunter22', '--name', 'Scale 1', '--publish-ms', '500']);
    const hostSide = pty.a;

    await page.goto(app.url);
    await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
    await page.getByRole('tab', { name: 'Devices' }).click();
    const view = page.getByRole('region', { name: 'Devices' });
    await view.getByLabel('Port path').fill(hostSide);
    await view.getByRole('button', { name: 'Pair this port' }).click();
    const wizard = page.getByRole('region', { name: 'Pairing wizard' });
    await expect(wizard.getByTestId('device-name')).toHaveText('Scale 1');
    // the board's names over Improv: the new name carries into its token and the Devices list
    await wizard.getByRole('button', { name: 'Hostname and name…' }).click();
    const names = wizard.getByRole('form', { name: 'Device names' });
    await expect(names.getByLabel('Hostname')).toHaveValue('apiary-sim');
    await names.getByLabel('Hostname').fill('hive-scale');
    await names.getByLabel('Device name').fill('Hive Scale');
    await names.getByRole('button', { name: 'Set' }).click();
    await expect(wizard.getByTestId('device-name')).toHaveText('Hive Scale');
    await expect(wizard).toContainText('hive-scale · Hive Scale');

    const form = wizard.getByRole('form', { name: 'Provision' });
    await form.getByRole('radio', { name: /Workshop/ }).check();
    await form.getByLabel('Wi-Fi password').fill('hunter22');
    await form.getByLabel('Channel', { exact: true }).fill('demo');
    await form.getByLabel('Resource', { exact: true }).fill('scale');
    // the built-in sandbox may create IAM tokens: offered (unticked for it; ticked for account credentials)
    const own = form.getByTestId('device-token').getByRole('checkbox');
    await expect(own).toBeEnabled();
    await own.check();
    await page.screenshot({ path: 'test-results/screenshots/devices-device-token-form.png' });
    await form.getByRole('button', { name: 'Provision' }).click();
    await expect(wizard.getByText('Paired', { exact: true })).toBeVisible({ timeout: 45_000 });

    await expect(wizard.getByTestId('paired-token')).toContainText('Connects with its own IAM token Hive Scale (demo)');
    const row = view.getByRole('list', { name: 'Paired devices' }).locator('li[data-device="Hive Scale"]');
    await expect(row.getByTestId('device-token')).toContainText('Token: Hive Scale (demo)');
    await expect(row.getByTestId('device-token')).toContainText('IAM, data on demo only');
    await expect(row.locator('[data-state]')).toHaveText('online');
    // the board is connected with an IAM token: its value never reached the page
    expect(await page.content()).not.toMatch(/iamtkn_/);

    // the Tokens section: the device's token with its scopes in words and who holds it
    await page.getByRole('tab', { name: 'Account' }).click();
    const account = page.getByRole('region', { name: 'Account' });
    await account.getByRole('tab', { name: 'Tokens' }).click();
    const tokenRow = account.getByRole('table', { name: 'IAM tokens' }).locator('tr[data-token="Hive Scale (demo)"]');
    await expect(tokenRow).toContainText('read data on demo; write data on demo');
    await expect(tokenRow.getByTestId('holder')).toHaveText('device Hive Scale');

    // a token of its own from the form, copied once
    await account.getByRole('button', { name: 'New token' }).click();
    const create = account.getByRole('form', { name: 'New IAM token' });
    await create.getByLabel('Name').fill('dashboard');
    await create.getByLabel('Data scope').fill('demo.scale');
    await create.getByRole('button', { name: 'Create token' }).click();
    const created = account.getByRole('status', { name: 'Token created' });
    await expect(created).toContainText('dashboard created (read data on demo.scale)');
    expect(await page.content()).not.toMatch(/iamtkn_/);
    await created.getByRole('button', { name: 'Copy token' }).click();
    await expect(created.getByRole('button', { name: 'Copied' })).toBeDisabled();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^iamtkn_\w+$/);
    await expect(account.getByRole('table', { name: 'IAM tokens' }).locator('tr[data-token="dashboard"] td').nth(2)).toHaveText(
      '—',
    );
    await page.screenshot({ path: 'test-results/screenshots/account-tokens.png' });

    // Wi-Fi only: the board joins another network and keeps its MQTT settings and its token
    await page.getByRole('tab', { name: 'Devices' }).click();
    await wizard.getByRole('button', { name: 'Pair another device' }).click();
    await row.getByRole('button', { name: 'Change Wi-Fi' }).click();
    await expect(wizard.getByRole('heading', { name: 'Change the Wi-Fi of Hive Scale' })).toBeVisible();
    await view.getByLabel('Port path').fill(hostSide);
    await view.getByRole('button', { name: 'Pair this port' }).click();
    await expect(form.getByTestId('wifi-only')).toBeVisible();
    await expect(form.getByLabel('Channel', { exact: true })).toHaveCount(0);
    await form.getByRole('radio', { name: /Workshop/ }).check();
    await form.getByLabel('Wi-Fi password').fill('hunter22');
    await form.getByRole('button', { name: 'Send Wi-Fi' }).click();
    await expect(wizard.getByText('Paired', { exact: true })).toBeVisible({ timeout: 45_000 });
    await expect(wizard.locator('[data-step="mqtt"]')).toHaveAttribute('data-status', 'skipped');
    await expect(wizard.locator('[data-step="wifi"]')).toHaveAttribute('data-status', 'done');
    await expect(view.getByRole('list', { name: 'Paired devices' }).locator('li')).toHaveCount(1);
    await expect(row.getByTestId('device-token')).toContainText('Token: Hive Scale (demo)');

    // Revoke from the Devices list: the board is locked out, its token gone
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke the token of Hive Scale?' });
    await expect(dialog).toContainText('Other devices keep their own tokens');
    await dialog.getByRole('button', { name: 'Revoke token' }).click();
    await expect(row.locator('[data-state]')).toHaveText('revoked');
    await expect(row).toContainText('Its IAM token was revoked');
    await expect(row.getByRole('button', { name: 'Revoke' })).toHaveCount(0);
    const devices = await callFromPage<KnownDevice[]>(page, 'devices.list');
    expect(devices.find((d) => d.name === 'Hive Scale')).toMatchObject({ revoked: true, online: false });
    await page.screenshot({ path: 'test-results/screenshots/devices-device-token-revoked.png' });

    await page.getByRole('tab', { name: 'Account' }).click();
    await account.getByRole('button', { name: 'Refresh' }).click();
    await expect(account.getByRole('table', { name: 'IAM tokens' }).locator('tr[data-token="Hive Scale (demo)"]')).toHaveCount(0);
    await expect(account.getByRole('table', { name: 'IAM tokens' }).locator('tr[data-token="dashboard"]')).toHaveCount(1);
  } finally {
    await sim?.stop();
    await pty?.stop();
  }
});
