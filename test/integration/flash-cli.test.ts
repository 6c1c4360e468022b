/**
 * `apiary flash` end to end: esptool-js through our Web Serial adapter and the real serialport binding, against
 * the ROM-loader simulator (test/tools/rom-sim) on a socat pty pair. What a user checks: the board's flash
 * holds the image, a bad write is caught by the MD5 check and said so, an unplugged board is said so, and a
 * manifest writes the build made for the chip it found.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { runFlashCommand } from '../../electron/commands/flash.js';
import { openSerialPort } from '../../electron/core/pairing/serial-port.js';
import { startPtyPair, type PtyPair } from '../tools/device-sim/harness.js';
import { startRomSim, type RomSim } from '../tools/rom-sim/harness.js';

const started: { pty: PtyPair; sim?: RomSim; dir: string }[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) {
    await s.sim?.stop();
    await s.pty.stop();
    rmSync(s.dir, { recursive: true, force: true });
  }
});

/** A board in download mode on a fresh pty; its flash is dumped to `dump`. When the simulator exits, the pty goes too. */
async function board(flags: string[] = []): Promise<{ port: string; dump: string; dir: string; sim: RomSim }> {
  const dir = mkdtempSync(join(tmpdir(), 'apiary-flash-'));
  const pty = await startPtyPair();
  const entry: (typeof started)[number] = { pty, dir };
  started.push(entry);
  const dump = join(dir, 'flash.dump');
  const sim = await startRomSim(pty.b, ['--dump', dump, ...flags]);
  entry.sim = sim;
  sim.process.once('exit', () => pty.process.kill('SIGKILL'));
  return { port: pty.a, dump, dir, sim };
}

async function flash(argv: string[]) {
  const out = { stdout: '', stderr: '' };
  const code = await runFlashCommand(argv, {
    stdout: { write: (t: string) => (out.stdout += t) },
    stderr: { write: (t: string) => (out.stderr += t) },
  });
  const lines = out.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, ...out, lines, result: lines.at(-1)! };
}

describe('apiary flash', () => {
  it('writes a .bin at its offset, verifies it and reports progress in ~10% steps', async () => {
    const b = await board();
    const image = randomBytes(150_001); // not a multiple of 4: the padding must not break the MD5 check
    const file = join(b.dir, 'app.bin');
    writeFileSync(file, image);

    const r = await flash(['--port', b.port, '--firmware', file, '--offset', '0x10000', '--baud', '460800', '--json']);

    expect(r.stderr).toContain('verified by MD5');
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ ok: true, chip: 'ESP32', bytes: image.length });
    // the board's flash holds exactly the image at 0x10000
    const flashed = readFileSync(b.dump);
    expect(flashed.subarray(0x10000, 0x10000 + image.length).equals(image)).toBe(true);
    // progress: each step, and the write in tenths (never one line per block)
    const percents = r.lines.filter((l) => l.step === 'write' && l.percent !== undefined).map((l) => l.percent);
    expect(percents.at(-1)).toBe(100);
    expect(percents.length).toBeLessThanOrEqual(11);
    expect(new Set(percents).size).toBe(percents.length);
    const steps = r.lines.filter((l) => l.status === 'done').map((l) => l.step);
    expect(steps).toEqual(['connect', 'chip', 'write', 'verify', 'reset']);
    expect(r.stderr.match(/writing \d+%/g)!.length).toBe(percents.length);
  });

  it('--erase wipes the whole flash before writing', async () => {
    const old = join(tmpdir(), `apiary-old-${process.pid}.bin`);
    writeFileSync(old, Buffer.alloc(4096, 0x42));
    const b = await board(['--preload', `${0x200000}:${old}`]);
    rmSync(old);
    const app = join(b.dir, 'app.bin');
    writeFileSync(app, randomBytes(8192));

    const r = await flash(['--port', b.port, '--firmware', app, '--erase']);

    expect(r.code).toBe(0);
    expect(r.stderr).toContain('✓ erase');
    expect(b.sim.output()).toContain('rom-sim: erased');
    // the old image at 0x200000 is gone: erased flash reads 0xFF
    const flashed = readFileSync(b.dump);
    expect(flashed.subarray(0x200000, 0x200000 + 4096).every((x) => x === 0xff)).toBe(true);
  });

  it('a byte flipped on the way into the flash fails verification, clearly', async () => {
    const b = await board(['--corrupt-at', String(0x10000 + 777)]);
    const file = join(b.dir, 'app.bin');
    writeFileSync(file, randomBytes(40_000));

    const r = await flash(['--port', b.port, '--firmware', file, '--offset', '65536', '--json']);

    expect(r.code).toBe(1);
    expect(r.result).toMatchObject({ ok: false, step: 'verify' });
    expect(r.stderr).toMatch(
      /✗ verify: verification failed at 0x10000: the board reads back MD5 [0-9a-f]{32}, .*app\.bin has [0-9a-f]{32}/,
    );
    expect(r.stderr).not.toContain('verified by MD5');
  });

  it('a port that is not there says to plug the board in', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'apiary-flash-'));
    const file = join(dir, 'app.bin');
    writeFileSync(file, randomBytes(1024));
    try {
      const r = await flash(['--port', join(dir, 'ttyUSB9'), '--firmware', file, '--json']);
      expect(r.code).toBe(1);
      expect(r.result).toMatchObject({ ok: false, step: 'connect' });
      expect(r.stderr).toMatch(/ttyUSB9 does not exist: is the board plugged in\?/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a board whose port a console holds in Apiary is refused by name, and flashes once the console lets go', async () => {
    const b = await board();
    const file = join(b.dir, 'app.bin');
    writeFileSync(file, randomBytes(4096));
    const console = await openSerialPort(b.port, { owner: 'the serial console', dtr: false, rts: false, bootDelayMs: 0 });
    try {
      const r = await flash(['--port', b.port, '--firmware', file, '--json']);
      expect(r.code).toBe(1);
      expect(r.result).toMatchObject({ ok: false, step: 'connect' });
      expect(r.stderr).toMatch(/is in use by the serial console in Apiary: close it there first/);
    } finally {
      await console.close();
    }
    const again = await flash(['--port', b.port, '--firmware', file, '--json']);
    expect(again.result).toMatchObject({ ok: true });
    // the flasher let go of the port as well: the console can have it again
    const reopened = await openSerialPort(b.port, { owner: 'the serial console', dtr: false, rts: false, bootDelayMs: 0 });
    await reopened.close();
  });

  it('a board unplugged while writing fails at once, naming the step', async () => {
    const b = await board(['--die-at', 'flash-data']);
    const file = join(b.dir, 'app.bin');
    writeFileSync(file, randomBytes(100_000)); // several blocks

    const r = await flash(['--port', b.port, '--firmware', file, '--json']);

    expect(r.code).toBe(1);
    expect(r.result).toMatchObject({ ok: false, step: 'write' });
    expect(r.stderr).toMatch(/disappeared during write \(unplugged\?\)/);
    expect(existsSync(b.port)).toBe(false);
  });

  it('a manifest writes the build for the chip it detects, each part at its offset', async () => {
    const b = await board(['--chip', 'esp8266']);
    const esp32App = randomBytes(5000);
    const esp8266Boot = randomBytes(3000);
    const esp8266App = randomBytes(9000);
    writeFileSync(join(b.dir, 'esp32.bin'), esp32App);
    writeFileSync(join(b.dir, 'boot8266.bin'), esp8266Boot);
    writeFileSync(join(b.dir, 'app8266.bin'), esp8266App);
    const manifest = join(b.dir, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        name: 'Hive sensor',
        version: '1.2.0',
        builds: [
          { chipFamily: 'ESP32', parts: [{ path: 'esp32.bin', offset: 0 }] },
          {
            chipFamily: 'ESP8266',
            parts: [
              { path: 'boot8266.bin', offset: 0 },
              { path: 'app8266.bin', offset: 0x8000 },
            ],
          },
        ],
      }),
    );

    const r = await flash(['--port', b.port, '--firmware', manifest, '--json']);

    expect(r.stderr).toContain('flashed Hive sensor to the ESP8266');
    expect(r.code).toBe(0);
    const flashed = readFileSync(b.dump);
    expect(flashed.subarray(0, esp8266Boot.length).equals(esp8266Boot)).toBe(true);
    expect(flashed.subarray(0x8000, 0x8000 + esp8266App.length).equals(esp8266App)).toBe(true);
    expect((r.result.parts as { offset: number }[]).map((p) => p.offset)).toEqual([0, 0x8000]);
  });

  it('a manifest without a build for the chip writes nothing and names what it has', async () => {
    const b = await board(['--chip', 'esp8266']);
    writeFileSync(join(b.dir, 'esp32.bin'), randomBytes(2048));
    const manifest = join(b.dir, 'manifest.json');
    writeFileSync(
      manifest,
      JSON.stringify({ name: 'S3 only', builds: [{ chipFamily: 'ESP32-S3', parts: [{ path: 'esp32.bin', offset: 0 }] }] }),
    );

    const r = await flash(['--port', b.port, '--firmware', manifest, '--json']);

    expect(r.code).toBe(1);
    expect(r.result).toMatchObject({ ok: false, step: 'chip' });
    expect(r.stderr).toMatch(/S3 only has no build for ESP8266 \(it has ESP32-S3\)/);
    expect(existsSync(b.dump)).toBe(false);
  });
});

describe('the ROM-loader simulator', () => {
  /** One request as the ROM protocol frames it, SLIP-escaped. */
  function request(op: number, data: Buffer, chk = 0): Buffer {
    const head = Buffer.alloc(8);
    head[1] = op;
    head.writeUInt16LE(data.length, 2);
    head.writeUInt32LE(chk, 4);
    const body = Buffer.concat([head, data]);
    const out = [0xc0];
    for (const x of body) out.push(...(x === 0xc0 ? [0xdb, 0xdc] : x === 0xdb ? [0xdb, 0xdd] : [x]));
    out.push(0xc0);
    return Buffer.from(out);
  }
  const words = (...ws: number[]) => Buffer.concat(ws.map((w) => Buffer.from(Uint32Array.of(w).buffer)));

  it('refuses a data block whose checksum is wrong, and takes it when right', async () => {
    const b = await board();
    const port = new SerialPort({ path: b.port, baudRate: 115200, autoOpen: false });
    await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
    let got = Buffer.alloc(0);
    port.on('data', (d: Buffer) => (got = Buffer.concat([got, d])));
    const answer = async (req: Buffer): Promise<Buffer> => {
      got = Buffer.alloc(0);
      port.write(req);
      for (let i = 0; i < 100 && (got.length < 2 || got.at(-1) !== 0xc0); i++) await new Promise((r) => setTimeout(r, 20));
      return got;
    };
    try {
      const block = Buffer.from('firmware bytes!!');
      let chk = 0xef;
      for (const x of block) chk ^= x;
      // FLASH_BEGIN: erase size, blocks, block size, offset, not encrypted
      const begin = await answer(request(0x02, words(block.length, 1, block.length, 0, 0)));
      expect(begin[1]).toBe(0x01); // a response…
      expect(begin[9 + 0]).toBe(0); // …with status 0
      const data = Buffer.concat([words(block.length, 0, 0, 0), block]);

      const bad = await answer(request(0x03, data, chk ^ 0x55));
      // status 1, error 0x07: "invalid CRC in message"
      expect([bad[9], bad[10]]).toEqual([1, 0x07]);

      const good = await answer(request(0x03, data, chk));
      expect([good[9], good[10]]).toEqual([0, 0]);
    } finally {
      await new Promise<void>((res) => port.close(() => res()));
    }
  });
});
