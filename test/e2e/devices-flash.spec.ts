import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './host-fixture.js';

/** Resolves once `text` appears on the child's stdout; rejects on exit or after `ms`. */
function waitForOutput(child: ChildProcess, text: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" within ${ms} ms`)), ms);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${text}"`));
    });
  });
}

async function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

test('flash firmware onto a simulated board, then pair it from the same screen', async ({ app, page }) => {
  fs.mkdirSync('test-results/screenshots', { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-flash-e2e-'));
  const hostSide = path.join(dir, 'A');
  const deviceSide = path.join(dir, 'B');
  const image = randomBytes(120_000);
  const firmware = path.join(dir, 'hive.bin');
  fs.writeFileSync(firmware, image);
  const dump = path.join(dir, 'flash.dump');
  let socat: ChildProcess | undefined;
  let board: ChildProcess | undefined;
  try {
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${hostSide}`, `pty,raw,echo=0,link=${deviceSide}`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(fs.existsSync(hostSide) && fs.existsSync(deviceSide)); i++)
      await new Promise((r) => setTimeout(r, 50));
    // the board in download mode: the ROM-loader simulator
    board = spawn(process.execPath, ['test/tools/rom-sim/rom-sim.mjs', '--port', deviceSide, '--dump', dump], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForOutput(board, 'rom-sim: ready', 10_000);

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
    await stopChild(board);
    board = spawn(
      process.execPath,
      [
        'test/tools/device-sim/device-sim.mjs',
        '--port',
        deviceSide,
        '--ssid',
        'Workshop',
        '--password',
        'hunter22',
        '--name',
        'Fresh Hive',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForOutput(board, 'device-sim: ready', 10_000);
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
    await stopChild(board);
    await stopChild(socat);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a flash that fails verification says so and offers no pairing', async ({ app, page }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-flash-e2e-'));
  const hostSide = path.join(dir, 'A');
  const deviceSide = path.join(dir, 'B');
  const firmware = path.join(dir, 'hive.bin');
  fs.writeFileSync(firmware, randomBytes(20_000));
  let socat: ChildProcess | undefined;
  let board: ChildProcess | undefined;
  try {
    socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${hostSide}`, `pty,raw,echo=0,link=${deviceSide}`], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100 && !(fs.existsSync(hostSide) && fs.existsSync(deviceSide)); i++)
      await new Promise((r) => setTimeout(r, 50));
    board = spawn(process.execPath, ['test/tools/rom-sim/rom-sim.mjs', '--port', deviceSide, '--corrupt-at', '100'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForOutput(board, 'rom-sim: ready', 10_000);

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
    await stopChild(board);
    await stopChild(socat);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
