/**
 * Compiles the firmware's C++ frame codec on the host and runs it against the shared vectors
 * (resources/firmware/test/vectors.json), the same file improv-codec.test.ts checks the app's codec with.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const firmware = fileURLToPath(new URL('../../resources/firmware/', import.meta.url));
const hasGpp = spawnSync('g++', ['--version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'apiary-codec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// CI installs g++ (.ci/run): there a missing compiler is a failure, not a skip
it.runIf(!hasGpp && !!process.env.CI)('CI has g++ to build the firmware codec', () => {
  expect(hasGpp, 'g++ is missing: .ci/run installs it').toBe(true);
});

describe.skipIf(!hasGpp)('firmware codec (C++, g++ -std=c++17)', () => {
  it('compiles without warnings and passes every shared vector', () => {
    const bin = join(dir, 'codec_test');
    const build = spawnSync(
      'g++',
      [
        '-std=c++17',
        '-Wall',
        '-Wextra',
        '-Werror',
        '-O1',
        '-I',
        join(firmware, 'apiary_device'),
        join(firmware, 'test', 'codec_test.cpp'),
        join(firmware, 'apiary_device', 'improv_codec.cpp'),
        '-o',
        bin,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(build.stderr).toBe('');
    expect(build.status).toBe(0);
    const out = execFileSync(bin, [join(firmware, 'test', 'vectors.json')], { encoding: 'utf8', timeout: 10_000 });
    const vectors = JSON.parse(readFileSync(join(firmware, 'test', 'vectors.json'), 'utf8')) as {
      frames: unknown[];
      streams: unknown[];
    };
    expect(out).toContain(`0 failed (${vectors.frames.length} frame vectors, ${vectors.streams.length} stream vectors)`);
  }, 60_000);
});
