import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import { startRomSim, type RomSim } from '../tools/rom-sim/harness.js';
import { test, expect } from './host-fixture.js';

test('flash firmware onto a simulated board, then pair it from the same screen', async ({ app, page }) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  const image = randomBytes(120_000);
  let pty: PtyPair | undefined;
  let board: RomSim | Sim | undefined;
  try {
    pty = await startPtyPair();
    const hostSide = pty.a;
    const firmware = path.join(pty.dir, 'hive.bin');
    fs.writeFileSync(firmware, image);
    const dump = path.join(pty.dir, 'flash.dump');
    // the board in download mode: the ROM-loader simulator
    board = await startRomSim(pty.b, ['--dump', dump]);

    await page.goto(app.url);
    // pairing needs the sandbox session up (the first message comes through it)
    await expect(page.getByRole('region', { name: 'Connections' }).getByText('connected').first()).toBeVisible();
    await page.getByRole('tab', { name: 'Devices' }).click();
    const view = page.getByRole('region', { name: 'Devices' });
    const flash = view.getByRole('region', { name: 'Flash' });
    await flash.getByText('Flash firmware first').click();
    const form = flash.getByRole('form', { name: 'Flash firmware' });
    // nothing to flash yet: the button says why it is disabled
    await expect(form.getByRole('button', { name: 'Flash' })).toBeDisabled();
    await expect(form).toContainText('Type or pick the port first');
    await form.getByLabel('Port to flash').fill(hostSide);
    await form.getByLabel('Firmware file').fill(firmware);
    await form.getByLabel('Offset').fill('0x10000');
    await form.getByRole('button', { name: 'Flash' }).click();

    await expect(flash.getByRole('status')).toContainText('Flashed and verified: hive.bin on the ESP32', { timeout: 30_000 });
    const steps = flash.getByRole('list', { name: 'Flash steps' });
    for (const label of [
      'Reset into the ROM loader',
      'Detect the chip',
      'Write',
      'Verify (MD5)',
      'Reset into the new firmware',
    ]) {
      await expect(steps.getByRole('listitem').filter({ hasText: label })).toContainText('done');
    }
    await expect(flash.getByLabel('Write progress')).toHaveAttribute('value', '100');
    await page.screenshot({ path: 'test-results/screenshots/devices-flash.png' });
    // what the board holds is the image, at its offset
    expect(
      fs
        .readFileSync(dump)
        .subarray(0x10000, 0x10000 + image.length)
        .equals(image),
    ).toBe(true);

    // the board boots the new firmware: an Improv device on the same port; pair it from the flash result
    await board.stop();
    board = await startSim(pty.b, ['--ssid', 'Workshop', '--password', 'hunter22', '--name', 'Fresh Hive']);
    await flash.getByRole('button', { name: 'Pair this board' }).click();
    const wizard = page.getByRole('region', { name: 'Pairing wizard' });
    await expect(wizard.getByTestId('device-name')).toHaveText('Fresh Hive');
    const provision = wizard.getByRole('form', { name: 'Provision' });
    await provision.getByRole('radio', { name: /Workshop/ }).check();
    await provision.getByLabel('Wi-Fi password').fill('hunter22');
    await provision.getByLabel('Channel', { exact: true }).fill('demo');
    await provision.getByLabel('Resource', { exact: true }).fill('hive');
    await provision.getByRole('button', { name: 'Provision' }).click();
    await expect(wizard.getByText('Paired', { exact: true })).toBeVisible({ timeout: 45_000 });
    await expect(view.getByRole('list', { name: 'Paired devices' }).locator('li[data-device="Fresh Hive"]')).toContainText(
      'demo/hive',
    );
  } finally {
    await board?.stop();
    await pty?.stop();
  }
});

test('a flash that fails verification says so and offers no pairing', async ({ app, page }) => {
  let pty: PtyPair | undefined;
  let board: RomSim | undefined;
  try {
    pty = await startPtyPair();
    const hostSide = pty.a;
    const firmware = path.join(pty.dir, 'hive.bin');
    fs.writeFileSync(firmware, randomBytes(20_000));
    board = await startRomSim(pty.b, ['--corrupt-at', '100']);

    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Devices' }).click();
    const flash = page.getByRole('region', { name: 'Devices' }).getByRole('region', { name: 'Flash' });
    await flash.getByText('Flash firmware first').click();
    const form = flash.getByRole('form', { name: 'Flash firmware' });
    await form.getByLabel('Port to flash').fill(hostSide);
    await form.getByLabel('Firmware file').fill(firmware);
    await form.getByRole('button', { name: 'Flash' }).click();

    await expect(flash.getByRole('alert')).toContainText('Flash failed — verify: verification failed at 0x0', {
      timeout: 30_000,
    });
    await expect(
      flash.getByRole('list', { name: 'Flash steps' }).getByRole('listitem').filter({ hasText: 'Verify (MD5)' }),
    ).toContainText('failed');
    await expect(flash.getByRole('button', { name: 'Pair this board' })).toHaveCount(0);
  } finally {
    await board?.stop();
    await pty?.stop();
  }
});
