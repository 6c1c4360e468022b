/**
 * Beebotte-shaped profiles in the connections form: the credential type, the port choice, the API key a
 * secret key needs — and a sandbox profile on a channel token that connects and fills the tree. The
 * secrets typed into the form never come back to the page.
 */
import type { Page } from '@playwright/test';
import type { ProfileDTO } from '../../electron/api.js';
import { callFromPage, test, expect } from './host-fixture.js';

async function openForm(page: Page, name: string, kind: 'Beebotte cloud' | 'Sandbox') {
  await page.getByRole('region', { name: 'Connections' }).getByRole('button', { name: '+ Add' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a profile' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByRole('radiogroup', { name: 'Kind' }).getByText(kind).click();
  return dialog;
}

test('a Beebotte cloud profile with a secret key: API key asked for, port chosen, secret kept out of the page', async ({ app, page }) => {
  const SECRET = 'e2e-secret-key-0123456789abcdef';
  await page.goto(app.url);
  const dialog = await openForm(page, 'Cloud home', 'Beebotte cloud');
  await dialog.getByRole('radiogroup', { name: 'Credential type' }).getByText('Secret key').click();
  await expect(dialog.getByText('Every channel of the account')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Secret key', exact: true }).fill(SECRET);
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog.getByRole('alert')).toContainText('add the API key too');

  await dialog.getByLabel(/^API key/).fill('e2e_api_key_123');
  await expect(dialog.getByRole('alert')).toBeHidden(); // fixed: the hint goes away before saving again
  await dialog.getByRole('radiogroup', { name: 'Port' }).getByText('1883 cleartext').click();
  await expect(dialog.getByText('Port 1883 sends the token in clear text.')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/connections-beebotte-form.png' });
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Cloud home"]');
  await expect(row).toContainText('beebotte · 1883');
  const saved = (await callFromPage<ProfileDTO[]>(page, 'profiles.list')).find((p) => p.name === 'Cloud home')!;
  expect(saved).toMatchObject({ kind: 'beebotte', credentialType: 'secretKey', apiKey: 'e2e_api_key_123', port: 1883, hasSecret: true });
  expect(JSON.stringify(saved)).not.toContain(SECRET);

  // editing shows that a secret is stored, never the secret
  await row.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Cloud home' });
  await expect(edit.getByRole('textbox', { name: 'Secret key', exact: true })).toHaveValue('');
  await expect(edit.getByRole('textbox', { name: 'Secret key', exact: true })).toHaveAttribute('placeholder', /stored/);
  await edit.getByRole('button', { name: 'Cancel' }).click();
  expect(await page.content()).not.toContain(SECRET);
});

test('a sandbox profile on a channel token connects and fills its channel in the tree', async ({ app, page }) => {
  await page.goto(app.url);
  await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
  const builtIn = (await callFromPage<ProfileDTO[]>(page, 'profiles.list')).find((p) => p.builtIn)!;
  const { token } = await callFromPage<{ token?: string }>(page, 'account.copyToken', { profileId: builtIn.id, channel: 'demo' });

  const dialog = await openForm(page, 'Bench token', 'Sandbox');
  await dialog.getByRole('radiogroup', { name: 'Credential type' }).getByText('Channel token').click();
  await dialog.getByRole('textbox', { name: 'Channel token', exact: true }).fill(token!);
  await dialog.getByLabel(/^Subscriptions/).fill('demo/#');
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Bench token"]');
  await row.getByRole('button', { name: 'Connect' }).click();
  await expect(row.getByText('connected', { exact: true })).toBeVisible();
  await row.getByRole('button', { name: /Bench token/ }).click(); // show this profile's topics
  const tree = page.getByRole('region', { name: 'Topic tree' });
  await expect(tree.locator('[data-topic="demo/temperature"] .count')).toHaveText(/[1-9]/);
  expect(await page.content()).not.toContain(token!.slice(6));
});
