/**
 * Devices: the "no Improv answer: wrong baud rate" hint points at a baud-rate setting that exists — the failed
 * wizard offers it beside "Try again", and the port is opened at the chosen rate (pairing.start carries it).
 * A pty pair with nothing on the far end plays a board that does not answer.
 */
import { startPtyPair, type PtyPair } from '../tools/device-sim/harness.js';
import { test, expect } from './host-fixture.js';

test('a board that does not answer: pick another baud rate where the hint points, and try again at it', async ({ app, page }) => {
  let pty: PtyPair | undefined;
  const starts: { baudRate?: number }[] = [];
  page.on('websocket', (ws) =>
    ws.on('framesent', (frame) => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString();
      if (!text.includes('pairing.start')) return;
      const call = JSON.parse(text) as { params?: { baudRate?: number } };
      starts.push(call.params ?? {});
    }),
  );
  try {
    pty = await startPtyPair();
    const hostSide = pty.a;

    await page.goto(app.url);
    await page.getByRole('tab', { name: 'Devices' }).click();
    const view = page.getByRole('region', { name: 'Devices' });
    // the port list offers the rate up front, Improv's by default
    await expect(view.getByLabel('Baud rate').first()).toHaveValue('115200');
    await view.getByLabel('Port path').fill(hostSide);
    await view.getByRole('button', { name: 'Pair this port' }).click();

    const wizard = page.getByRole('region', { name: 'Pairing wizard' });
    await expect(wizard.getByRole('alert')).toContainText('wrong baud rate', { timeout: 15_000 });
    await expect(wizard.getByTestId('baud-hint')).toContainText('opened at 115200 baud');
    await wizard.getByLabel('Baud rate').selectOption('9600');
    await expect(wizard.getByTestId('baud-hint')).toContainText('opened at 115200 baud'); // what was tried, until tried again
    await page.screenshot({ path: 'test-results/screenshots/devices-baud.png' });
    await wizard.getByRole('button', { name: 'Try again' }).click();
    await expect(wizard.getByTestId('baud-hint')).toContainText('opened at 9600 baud: Improv boards talk at 115200', {
      timeout: 15_000,
    });
    expect(starts.map((s) => s.baudRate)).toEqual([115200, 9600]);
  } finally {
    await pty?.stop();
  }
});
