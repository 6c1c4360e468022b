/**
 * The serial console on socat ptys with the real serialport binding: lines and bytes both ways at 115200
 * and 921600 with DTR/RTS set, a bounded log saved to a file, one owner per port (a pairing is refused
 * while the console holds the port, naming it, and the other way round), and `apiary console`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SerialPort } from 'serialport';
import { SerialConsole } from '../../electron/core/devices/console.js';
import { openPortPaths, openSerialPort } from '../../electron/core/pairing/serial-port.js';
import { runConsoleCommand } from '../../electron/commands/console.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startPtyPair, startSim, type PtyPair } from '../tools/device-sim/harness.js';

const pairs: PtyPair[] = [];
const cleanups: (() => Promise<void>)[] = [];
let dir: string;
let t: TestCore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-console-'));
  t = await startTestCore({ demoSensor: false });
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  for (const p of pairs.splice(0)) await p.stop();
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pty(): Promise<PtyPair> {
  const p = await startPtyPair();
  pairs.push(p);
  return p;
}

/** The far end: a plain serialport on B that collects what arrives. */
async function farEnd(path: string, baudRate: number): Promise<{ port: SerialPort; got: () => Buffer }> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const chunks: Buffer[] = [];
  port.on('data', (c: Buffer) => chunks.push(c));
  cleanups.push(() => new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r())));
  return { port, got: () => Buffer.concat(chunks) };
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('the serial console', () => {
  it.each([115200, 921600])('round-trips lines and bytes at %i baud with DTR on and RTS off, then toggled', async (baud) => {
    const p = await pty();
    const far = await farEnd(p.b, baud);
    const konsole = await SerialConsole.open(p.a, { baudRate: baud, dtr: true, rts: false, lineEnding: 'crlf' });
    cleanups.push(() => konsole.close());
    expect(konsole.modemLines).toEqual({ dtr: true, rts: false });

    await konsole.sendLine('AT+GMR');
    await konsole.sendBytes('01 a0 ff 00');
    await waitFor(() => far.got().length === 12, 'the far end to get the line and the bytes', 5000);
    expect(far.got()).toEqual(Buffer.concat([Buffer.from('AT+GMR\r\n'), Buffer.from([0x01, 0xa0, 0xff, 0x00])]));

    far.port.write(allBytes);
    far.port.write('ready\n');
    await waitFor(() => konsole.received().length === 262, 'every byte back', 5000);
    expect(Buffer.from(konsole.received())).toEqual(Buffer.concat([allBytes, Buffer.from('ready\n')]));

    // the modem lines toggle on an open port, and data still flows both ways after
    await konsole.setModemLines({ dtr: false, rts: true });
    expect(konsole.modemLines).toEqual({ dtr: false, rts: true });
    konsole.ending = 'lf';
    await konsole.sendLine('again');
    await waitFor(() => far.got().toString('latin1').endsWith('again\n'), 'the line after the toggle', 5000);

    expect(konsole.log().map((e) => e.dir)).toContain('tx');
    await expect(konsole.sendLine('two\nlines')).rejects.toThrow(/one line at a time/);
    await expect(konsole.sendBytes('0g')).rejects.toThrow(/is not hex/);
  });

  it('keeps a bounded log and saves it to a file, hex or text, timestamped', async () => {
    const p = await pty();
    const far = await farEnd(p.b, 115200);
    const konsole = await SerialConsole.open(p.a, { baudRate: 115200, maxLogBytes: 64 });
    cleanups.push(() => konsole.close());
    for (let i = 0; i < 10; i++) {
      far.port.write(`line ${i} of the boot log\r\n`);
      await waitFor(() => Buffer.from(konsole.received()).toString().includes(`line ${i} `), `line ${i}`, 5000);
    }
    const bytes = konsole.log().reduce((n, e) => n + e.bytes.length, 0);
    expect(bytes).toBeLessThanOrEqual(64);
    expect(konsole.dropped).toBeGreaterThan(0);
    expect(Buffer.from(konsole.received()).toString()).toContain('line 9 of the boot log');

    const file = join(dir, 'console.log');
    await konsole.save(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# .* at 115200 baud; \d+ older entries dropped\n/);
    expect(text).toMatch(/^\d\d:\d\d:\d\d\.\d{3} < .*line 9 of the boot log␍␊$/m);
    expect(text).not.toContain('line 0 of');

    await konsole.save(file, { hex: true });
    expect(readFileSync(file, 'utf8')).toContain('0d 0a');
  });

  it('one owner per port: a pairing is refused while the console holds it, and the console while a pairing does', async () => {
    const p = await pty();
    const sim = await startSim(p.b, ['--name', 'Console Bee']);
    cleanups.push(() => sim.stop());

    const konsole = await SerialConsole.open(p.a, { baudRate: 115200 });
    await expect(t.core.call('pairing.start', { port: p.a })).rejects.toThrow(
      `${p.a} is in use by the serial console in Apiary: close it there first, then try again`,
    );
    await expect(openSerialPort(p.a, { owner: 'apiary provision' })).rejects.toMatchObject({ code: 'port-busy' });
    // the console still works: the board's boot chatter keeps coming
    const before = konsole.received().length;
    await waitFor(() => konsole.received().length > before, 'more chatter from the board', 5000);
    await konsole.close();

    const hello = (await t.core.call('pairing.start', { port: p.a })) as { pairingId: string };
    await expect(SerialConsole.open(p.a, { baudRate: 115200 })).rejects.toThrow(/is in use by the pairing wizard in Apiary/);
    await t.core.call('pairing.cancel', { pairingId: hello.pairingId });
    const again = await SerialConsole.open(p.a, { baudRate: 115200 });
    await again.close();
    expect(openPortPaths()).toEqual([]);
  });
});

describe('apiary console', () => {
  it('sends stdin lines and hex, prints what arrives as hex with timestamps, and saves the log', async () => {
    const p = await pty();
    const far = await farEnd(p.b, 921600);
    far.port.on('data', (c: Buffer) => {
      if (c.includes(0x0a)) far.port.write(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    });
    const stdin = new PassThrough();
    const out = new PassThrough();
    const err = new PassThrough();
    let stdout = '';
    let stderr = '';
    out.on('data', (d: Buffer) => (stdout += d.toString()));
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    const file = join(dir, 'cli.log');
    const run = runConsoleCommand(
      ['--port', p.a, '--baud', '921600', '--dtr', 'on', '--rts', 'off', '--hex', '--timestamps', '--line-ending', 'cr', '--log', file],
      { stdin, stdout: out, stderr: err },
    );
    await waitFor(() => stderr.includes('connected to'), 'the console to open', 5000);
    expect(stderr).toContain('at 921600 baud (DTR on, RTS off)');
    stdin.write('\\x 0a\n');
    await waitFor(() => stdout.includes('de ad be ef'), 'the answer in hex', 5000);
    stdin.write('status\n');
    await waitFor(() => far.got().toString('latin1').includes('status\r'), 'the line with CR', 5000);
    stdin.end();
    expect(await run).toBe(0);
    expect(stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} < de ad be ef$/m);
    expect(readFileSync(file, 'utf8')).toMatch(/> 73 74 61 74 75 73 0d/);
    expect(openPortPaths()).toEqual([]);
  });

  it('bad usage exits 2; a held port exits 1 naming the holder', async () => {
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await runConsoleCommand(['--port', '/dev/null', '--dtr', 'maybe'], { stderr: err })).toBe(2);
    expect(stderr).toContain('--dtr takes on or off');

    const p = await pty();
    const held = await SerialConsole.open(p.a, { baudRate: 115200 });
    cleanups.push(() => held.close());
    expect(await runConsoleCommand(['--port', p.a], { stderr: err, stdin: new PassThrough() })).toBe(1);
    expect(stderr).toContain('is in use by the serial console in Apiary');
  });
});
