import fs from 'node:fs';
import { createRequire } from 'node:module';
import mqtt from 'mqtt';
import type { ProfileDTO } from '../../electron/api.js';
import { accountFor } from '../../electron/core/vault/vault.js';
import { callFromPage, test, expect } from './host-fixture.js';

/** What the OS keychain holds for a profile, read with keytar as Apiary files it (service "Apiary"). */
async function keychainSecret(profileId: string): Promise<string | null> {
  const keytar = createRequire(import.meta.url)('keytar') as typeof import('keytar');
  return keytar.getPassword('Apiary', accountFor(profileId));
}

/** Connects with a channel token; resolves with the client, or rejects with the broker's refusal. */
function connectWithToken(url: string, token: string): Promise<mqtt.MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, { username: token, password: '', reconnectPeriod: 0, connectTimeout: 5000 });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => (client.end(true), reject(err)));
    client.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

test('channels and resources made in the Account screen; a regenerated token drops its old clients', async ({
  app,
  page,
  context,
}) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
  const clients: mqtt.MqttClient[] = [];
  try {
    await page.goto(app.url);
    await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
    const info = await callFromPage<{ sandbox?: { mqtt: string } }>(page, 'app.info');
    const brokerUrl = info.sandbox!.mqtt;

    await page.getByRole('tab', { name: 'Account' }).click();
    const view = page.getByRole('region', { name: 'Account' });
    await expect(view.getByLabel('Account profile')).toHaveValue(/./);
    await expect(view.getByRole('article', { name: 'Channel demo' })).toBeVisible();

    // Beebotte's name rules are checked before anything is sent
    await view.getByRole('button', { name: 'New channel' }).click();
    const create = view.getByRole('form', { name: 'New channel' });
    await create.getByLabel('Channel name').fill('bad-name');
    await create.getByLabel('Resource name 1').fill('reading');
    await create.getByRole('button', { name: 'Create channel' }).click();
    await expect(create.getByRole('alert')).toContainText('letters, digits or _');

    await create.getByLabel('Channel name').fill('e2e_lab');
    await create.getByLabel('Value type 1').selectOption('number');
    await create.getByRole('button', { name: 'Create channel' }).click();
    const card = view.getByRole('article', { name: 'Channel e2e_lab' });
    await expect(card).toBeVisible();
    await expect(card.locator('tr[data-resource="reading"]')).toContainText('number');

    // a second resource, created and deleted on the card
    await card.getByRole('button', { name: '+ resource' }).click();
    await card.getByLabel('New resource name').fill('spare');
    await card.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(card.locator('tr[data-resource="spare"]')).toBeVisible();
    await card.getByRole('button', { name: 'Delete resource spare' }).click();
    await card.getByRole('button', { name: 'Confirm delete' }).click();
    await expect(card.locator('tr[data-resource="spare"]')).toHaveCount(0);

    // the token goes to the clipboard, never onto the page
    await card.getByRole('button', { name: 'Copy token' }).click();
    await expect(card.getByRole('status')).toContainText('Token copied');
    const oldToken = await page.evaluate(() => navigator.clipboard.readText());
    expect(oldToken).toMatch(/^token_/);
    await expect(page.locator('body')).not.toContainText(oldToken);

    // a device-like client on the old token publishes to the new channel and reads its own message back
    const device = await connectWithToken(brokerUrl, oldToken);
    clients.push(device);
    const echoed = new Promise<string>((resolve) => device.on('message', (_t, payload) => resolve(payload.toString())));
    await device.subscribeAsync('e2e_lab/reading');
    await device.publishAsync('e2e_lab/reading', JSON.stringify({ data: 21.5 }));
    expect(JSON.parse(await echoed)).toMatchObject({ data: 21.5 });
    const dropped = new Promise<void>((resolve) => device.once('close', () => resolve()));

    // one of Apiary's own profiles uses that token too, kept in the OS keychain (e2e runs on a private keyring)
    const lab = await callFromPage<ProfileDTO>(page, 'profiles.save', {
      name: 'Lab bench',
      kind: 'sandbox',
      credentialType: 'channelToken',
      secret: oldToken,
      secretMode: 'keychain',
      subscriptions: ['e2e_lab/#'],
    });
    expect(await keychainSecret(lab.id)).toBe(oldToken);
    await callFromPage(page, 'sessions.connect', { profileId: lab.id });
    const labRow = page.getByRole('region', { name: 'Connections' }).locator('li[data-profile="Lab bench"]');
    await expect(labRow.getByText('connected', { exact: true })).toBeVisible();

    // regenerate, after a confirmation that explains the consequences
    await card.getByRole('button', { name: 'Regenerate token…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Regenerate the token of e2e_lab?' });
    await expect(dialog).toContainText('stops working at once');
    await dialog.getByRole('button', { name: 'Regenerate token' }).click();
    await expect(card.getByRole('status')).toContainText('New token issued');
    await dropped; // the old token's client is dropped…
    await expect(connectWithToken(brokerUrl, oldToken).then((c) => (clients.push(c), 'connected'))).rejects.toThrow(); // …and cannot come back
    const note = view.getByRole('status', { name: 'Token regenerated' });
    await expect(note).toContainText('Given the new token');
    await expect(note.locator('li[data-profile]', { hasText: 'Lab bench' })).toContainText('connected');

    await card.getByRole('button', { name: 'Copy token' }).click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).not.toBe(oldToken);
    const newToken = await page.evaluate(() => navigator.clipboard.readText());
    clients.push(await connectWithToken(brokerUrl, newToken));
    // the keychain holds the new token (read through keytar), and the profile reconnected on it by itself
    expect(await keychainSecret(lab.id)).toBe(newToken);
    await expect(labRow.getByText('connected', { exact: true })).toBeVisible();
    await callFromPage(page, 'profiles.remove', { id: lab.id });
    expect(await keychainSecret(lab.id)).toBeNull();

    // regenerating the demo channel's token: Apiary's own sandbox session moves to the new token by itself
    const demo = view.getByRole('article', { name: 'Channel demo' });
    await demo.getByRole('button', { name: 'Regenerate token…' }).click();
    await page
      .getByRole('dialog', { name: 'Regenerate the token of demo?' })
      .getByRole('button', { name: 'Regenerate token' })
      .click();
    await expect(note).toContainText('Given the new token');
    await expect(note.locator('li[data-profile]').first()).toContainText('connected');
    await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
    // and its messages keep flowing: the demo sensor reconnected on the new token too
    const before = await callFromPage<{ id: number }[]>(page, 'messages.query', { topicFilter: 'demo/temperature', limit: 1 });
    await expect
      .poll(
        async () =>
          (await callFromPage<{ id: number }[]>(page, 'messages.query', { topicFilter: 'demo/temperature', limit: 1 }))[0]?.id ??
          0,
        { timeout: 15_000 },
      )
      .toBeGreaterThan(before[0]?.id ?? 0);
    await page.screenshot({ path: 'test-results/screenshots/account.png' });

    // delete the channel (confirmed)
    await card.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog', { name: 'Delete channel e2e_lab?' }).getByRole('button', { name: 'Delete channel' }).click();
    await expect(card).toHaveCount(0);
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
  }
});

test('a profile that could not be moved to the new token is listed, with why', async ({ app, page }) => {
  // The core's side (a keychain refusing one profile while the others move) is integration-tested in
  // account-regenerate.test.ts; here the page's own WebSocket gets that answer, to check what the user sees.
  const failure = {
    profileId: 'greenhouse1',
    name: 'Greenhouse',
    reason:
      "still holds the old token: storing the new one failed (could not store the secret: the keychain is locked: unlock it (e.g. log in again) or choose 'ask at connect' for this profile)",
  };
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    const regenerations = new Set<number>();
    ws.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { id?: number; method?: string };
      if (frame.method === 'account.regenerateToken' && typeof frame.id === 'number') regenerations.add(frame.id);
      server.send(message);
    });
    server.onMessage((message) => {
      const frame = JSON.parse(String(message)) as { id?: number; result?: { failedProfiles?: unknown[] } };
      if (typeof frame.id === 'number' && regenerations.has(frame.id) && frame.result) {
        frame.result.failedProfiles = [failure];
        ws.send(JSON.stringify(frame));
      } else ws.send(message);
    });
  });
  await page.goto(app.url);
  await page.getByRole('tab', { name: 'Account' }).click();
  const view = page.getByRole('region', { name: 'Account' });
  await view.getByRole('button', { name: 'New channel' }).click();
  const create = view.getByRole('form', { name: 'New channel' });
  await create.getByLabel('Channel name').fill('e2e_partial');
  await create.getByLabel('Resource name 1').fill('reading');
  await create.getByRole('button', { name: 'Create channel' }).click();
  const card = view.getByRole('article', { name: 'Channel e2e_partial' });
  await expect(card).toBeVisible();

  await card.getByRole('button', { name: 'Regenerate token…' }).click();
  await page
    .getByRole('dialog', { name: 'Regenerate the token of e2e_partial?' })
    .getByRole('button', { name: 'Regenerate token' })
    .click();
  await expect(card.getByRole('alert')).toContainText('New token issued, but one profile was not moved to it');
  const note = view.getByRole('status', { name: 'Token regenerated' });
  const failed = note.getByRole('list', { name: 'Profiles not updated' });
  await expect(failed.locator(`li[data-profile="${failure.profileId}"]`)).toContainText('Greenhouse: still holds the old token');
  await expect(failed).toContainText('the keychain is locked');
  await expect(note).not.toContainText("None of Apiary's profiles used the old token");
  await page.screenshot({ path: 'test-results/screenshots/account-partial.png' });
});
