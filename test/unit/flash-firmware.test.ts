/** Firmware files for `apiary flash`: a .bin, an ESP Web Tools manifest, the build for a chip, and the progress lines. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progressPrinter } from '../../electron/commands/flash.js';
import { FlashError } from '../../electron/core/flash/errors.js';
import { loadFirmware, parseOffset, partsForChip } from '../../electron/core/flash/firmware.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'apiary-fw-'));
  writeFileSync(join(dir, 'a.bin'), Buffer.from([1, 2, 3]));
  writeFileSync(join(dir, 'b.bin'), Buffer.from([4, 5]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest = (body: unknown, name = 'm.json') => {
  const file = join(dir, name);
  writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
};
const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(FlashError);
  return e as FlashError;
};

describe('firmware', () => {
  it('a .bin goes at the offset given', async () => {
    const fw = await loadFirmware(join(dir, 'a.bin'), 0x10000);
    expect(partsForChip(fw, 'ESP32-C3')).toEqual([
      { file: join(dir, 'a.bin'), offset: 0x10000, data: new Uint8Array([1, 2, 3]) },
    ]);
  });

  it('offsets read as hex or decimal; anything else is refused', () => {
    expect(parseOffset('0x8000')).toBe(0x8000);
    expect(parseOffset('65536')).toBe(65536);
    for (const bad of ['-1', '0x', '12k', '0x1000000000']) expect(() => parseOffset(bad)).toThrow(/not a flash address/);
  });

  it('a manifest picks the build of the detected chip, paths relative to the manifest, offsets as numbers or hex', async () => {
    const fw = await loadFirmware(
      manifest({
        name: 'Hive',
        builds: [
          { chipFamily: 'ESP32', parts: [{ path: 'a.bin', offset: 4096 }] },
          {
            chipFamily: 'ESP32-S3',
            parts: [
              { path: './b.bin', offset: '0x0' },
              { path: 'a.bin', offset: '0x10000' },
            ],
          },
        ],
      }),
    );
    expect(partsForChip(fw, 'ESP32-S3').map((p) => [p.file, p.offset])).toEqual([
      [join(dir, 'b.bin'), 0],
      [join(dir, 'a.bin'), 0x10000],
    ]);
    expect(partsForChip(fw, 'ESP32').map((p) => p.offset)).toEqual([4096]);
    expect(() => partsForChip(fw, 'ESP8266')).toThrow(/Hive has no build for ESP8266 \(it has ESP32, ESP32-S3\)/);
  });

  it('a file that is not JSON is refused without quoting it (the path may name any file, the message may reach the desk)', async () => {
    const e = await failure(loadFirmware(manifest('hunter2-secret: not json at all', 'secret.json')));
    expect(e.message).toMatch(/secret\.json is not valid JSON/);
    expect(e.message).not.toContain('hunter2');
  });

  it('bad manifests and files fail before any port is touched, saying what is wrong', async () => {
    expect((await failure(loadFirmware(join(dir, 'nope.bin')))).message).toMatch(/nope\.bin does not exist/);
    expect((await failure(loadFirmware(manifest('{ not json')))).message).toMatch(/is not valid JSON/);
    expect((await failure(loadFirmware(manifest({ builds: [] })))).message).toMatch(/needs a "builds" list/);
    expect(
      (await failure(loadFirmware(manifest({ builds: [{ chipFamily: 'ESP32', parts: [{ path: 'a.bin' }] }] })))).message,
    ).toMatch(/needs a "path" and an "offset"/);
    expect(
      (await failure(loadFirmware(manifest({ builds: [{ chipFamily: 'ESP32', parts: [{ path: 'missing.bin', offset: 0 }] }] }))))
        .message,
    ).toMatch(/missing\.bin does not exist/);
    const url = await failure(
      loadFirmware(manifest({ builds: [{ chipFamily: 'ESP32', parts: [{ path: 'https://example.com/fw.bin', offset: 0 }] }] })),
    );
    expect(url.message).toMatch(/is a URL: download the files next to the manifest/);
    // a manifest never makes Apiary read a file outside its folder (to write it to a board)
    const outside = join(tmpdir(), `apiary-fw-outside-${process.pid}.bin`);
    writeFileSync(outside, Buffer.from([9]));
    for (const partPath of [outside, '../' + outside.split('/').at(-1)]) {
      const escaped = await failure(
        loadFirmware(manifest({ builds: [{ chipFamily: 'ESP32', parts: [{ path: partPath, offset: 0 }] }] })),
      );
      expect(escaped.message).toMatch(/is not in the manifest's folder/);
    }
    rmSync(outside);
    writeFileSync(join(dir, 'empty.bin'), '');
    expect((await failure(loadFirmware(join(dir, 'empty.bin')))).message).toMatch(/empty\.bin is empty/);
  });
});

describe('flash progress lines', () => {
  it('one line per step and per 10% written, however many blocks', () => {
    const lines: string[] = [];
    const print = progressPrinter((l) => lines.push(l));
    print({ step: 'write', status: 'start', detail: '0x10000' });
    for (let i = 0; i <= 1000; i++) print({ step: 'write', status: 'progress', percent: Math.floor(i / 10) });
    print({ step: 'write', status: 'done' });
    expect(lines[0]).toBe('→ write: 0x10000');
    expect(lines.slice(1, -1)).toEqual(Array.from({ length: 11 }, (_, i) => `  writing ${i * 10}%`));
    expect(lines.at(-1)).toBe('✓ write');
  });
});
