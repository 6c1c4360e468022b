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
});
