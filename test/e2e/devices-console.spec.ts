import fs from 'node:fs';
import path from 'node:path';
import { startPtyPair, startSim, type PtyPair, type Sim } from '../tools/device-sim/harness.js';
import { test, expect } from './host-fixture.js';

test('the serial console on a simulated board: its log, an Improv frame sent as hex, the port held from pairing, the log saved', async ({
  app,
  page,
}) => {
  let pty: PtyPair | undefined;
  let sim: Sim | undefined;
  try {
    pty = await startPtyPair();
    sim = await startSim(pty.b, ['--name', 'Console Sim']);
    const hostSide = pty.a;

    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Devices' }).click();
    const view = page.getByRole('region', { name: 'Devices' });
    const konsole = view.getByRole('region', { name: 'Serial console' });
    const output = konsole.getByLabel('Console output');
    await expect(konsole.getByRole('button', { name: 'Send' })).toBeDisabled();
    await expect(konsole.getByRole('button', { name: 'Send' })).toHaveAttribute('title', 'Open the port first');

    await konsole.getByLabel('Console port').fill(hostSide);
    await konsole.getByLabel('Console baud rate').selectOption('115200');
    await konsole.getByRole('button', { name: 'Open port' }).click();
    await expect(konsole.getByTestId('console-state')).toHaveText('open at 115200 baud');
    // the board's chatter arrives as text lines
    await expect(output).toContainText('[D][sensor]: uptime', { timeout: 10_000 });

    // an Improv "request state" frame as raw bytes: the board answers with its state frame (ready), seen in hex
    await konsole.getByLabel('Hex', { exact: true }).check();
    await konsole.getByLabel('Send').fill('49 4d 50 52 4f 56 01 03 02 02 00 e5 0a');
    await konsole.getByRole('button', { name: 'Send' }).click();
    await konsole.getByLabel('Hex view').check();
    await expect(output).toContainText('> 49 4d 50 52 4f 56 01 03 02 02 00 e5 0a');
    await expect(output).toContainText('49 4d 50 52 4f 56 01 01 01 02 e2', { timeout: 5000 });

    // the port is held: pairing it now is refused, naming the console
    await view.getByLabel('Port path').fill(hostSide);
    await view.getByRole('button', { name: 'Pair this port' }).click();
    const wizard = page.getByRole('region', { name: 'Pairing wizard' });
    await expect(wizard.getByRole('alert')).toContainText('is in use by the serial console in Apiary: close it there first');

    // the log saves to a file
    const download = page.waitForEvent('download');
    await konsole.getByRole('button', { name: 'Save log' }).click();
    const file = path.join(pty.dir, 'saved.log');
    await (await download).saveAs(file);
    const saved = fs.readFileSync(file, 'utf8');
    expect(saved).toMatch(/^# .*A at 115200 baud\n/);
    expect(saved).toMatch(/\d\d:\d\d:\d\d\.\d{3} > 49 4d 50 52 4f 56 01 03 02 02 00 e5 0a/);

    await konsole.getByRole('button', { name: 'Close port' }).click();
    await expect(konsole.getByTestId('console-state')).toHaveText('closed');
    // released: the pairing now reaches the board
    await wizard.getByRole('button', { name: 'Try again' }).click();
    await expect(wizard.getByTestId('device-name')).toHaveText('Console Sim', { timeout: 15_000 });
    await wizard.getByRole('button', { name: 'Cancel' }).first().click();
    fs.mkdirSync('test-results/screenshots', { recursive: true });
    await page.screenshot({ path: 'test-results/screenshots/devices-console.png' });
  } finally {
    await sim?.stop();
    await pty?.stop();
  }
});
