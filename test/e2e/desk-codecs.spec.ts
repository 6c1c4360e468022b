import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from 'cbor-x';
import { test, expect } from './host-fixture.js';
import { addGenericProfile, pub, startMosquitto, stopMosquitto, type Broker } from './desk-broker.js';

let broker: Broker;
test.beforeAll(async () => (broker = await startMosquitto()));
test.afterAll(async () => stopMosquitto(broker));

test('choosing CBOR for a topic decodes its next messages: shown as JSON, charted by field', async ({ app, page }) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-cbor-')), 'reading.cbor');
  await page.goto(app.url);
  await addGenericProfile(page, 'Lab', broker.url);
  fs.writeFileSync(file, encode({ v: 20.5, unit: 'C' }));
  await pub(broker, 'lab/cbor', { file });

  const tree = page.getByRole('region', { name: 'Topic tree' });
  await tree.locator('[data-topic="lab/cbor"]').click();
  const explorer = page.getByRole('region', { name: 'Topic explorer' });
  // before a codec is chosen: binary, nothing to chart
  await expect(explorer.getByText('No numeric values')).toBeVisible();

  await explorer.getByRole('button', { name: 'JSON' }).first().click();
  const form = explorer.getByRole('form', { name: 'Codec for lab/cbor' });
  await form.getByLabel('Topics').fill('lab/#');
  await form.getByLabel('Codec').selectOption('cbor');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form).toBeHidden();
  await expect(explorer.getByRole('button', { name: 'CBOR' })).toBeVisible();

  fs.writeFileSync(file, encode({ v: 21.25, unit: 'C' }));
  await pub(broker, 'lab/cbor', { file });
  const history = explorer.getByRole('list', { name: 'Topic history' });
  await expect(history).toContainText('{"v":21.25,"unit":"C"}');
  // the chart reads the decoded field, from the store too (the first message was stored before the rule: its
  // bytes are decoded now, when read)
  const chart = explorer.getByRole('img', { name: /Chart of lab\/cbor/ });
  await expect(chart).toHaveAttribute('data-points', '2');

  // a Protobuf rule needs its .proto: Save says why it is disabled
  await explorer.getByRole('button', { name: 'CBOR' }).click();
  await form.getByLabel('Codec').selectOption('protobuf');
  await expect(form.getByRole('button', { name: 'Save' })).toBeDisabled();
  await expect(form.getByRole('button', { name: 'Save' })).toHaveAttribute('title', /Protobuf needs the .proto file/);
  await form.getByLabel('.proto file').fill('/nonexistent/x.proto');
  await form.getByRole('button', { name: 'Read types' }).click();
  await expect(form.getByRole('alert')).toContainText('no such file');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // the composer sends CBOR: the rule for lab/# decodes it on arrival, so it reads back as the JSON typed
  const composer = page.getByRole('form', { name: 'Publish composer' });
  await composer.getByLabel('Profile').selectOption({ label: 'Lab' });
  await composer.getByLabel('Topic', { exact: true }).fill('lab/sent');
  await composer.getByLabel('Data').fill('{"v": 7.5, "ok": true}');
  await composer.getByLabel('Send as').selectOption('cbor');
  await composer.getByRole('button', { name: 'Publish' }).click();
  await expect(composer.getByRole('status')).toContainText('Published to lab/sent');
  await tree.locator('[data-topic="lab/sent"]').click();
  await expect(explorer.getByRole('list', { name: 'Topic history' })).toContainText('{"v":7.5,"ok":true}');
  // hex with an odd digit count: the core says what to fix
  await composer.getByLabel('Send as').selectOption('hex');
  await composer.getByLabel('Data').fill('abc');
  await composer.getByRole('button', { name: 'Publish' }).click();
  await expect(composer.getByRole('status')).toContainText('odd count');
});
