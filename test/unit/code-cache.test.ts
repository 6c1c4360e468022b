/**
 * The CLI's V8 code-cache loader (electron/code-cache.cjs), run as dist/app runs it: in a child process, on a
 * directory holding the loader and a content-hashed chunk.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const loader = path.resolve('electron/code-cache.cjs');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function node(dir: string, script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
}

describe('code-cache.cjs', () => {
  it('runs a chunk from its cache, and runs the new code when the chunk changed in place (same name, same length)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-code-cache-'));
    dirs.push(dir);
    fs.copyFileSync(loader, path.join(dir, 'code-cache.cjs'));
    const chunk = path.join(dir, 'answer-AbCd1234.cjs');
    // top-level code: what runs when the cache is made is what the cache holds compiled
    fs.writeFileSync(chunk, 'module.exports = 40 + 1;\n');
    fs.writeFileSync(path.join(dir, 'entry.cjs'), "process.stdout.write(String(require('./answer-AbCd1234.cjs')));\n");
    const built = JSON.parse(node(dir, "process.stdout.write(JSON.stringify(require('./code-cache.cjs').writeCaches()))")) as {
      files: number;
    };
    expect(built.files).toBe(1);
    const run = "require('./code-cache.cjs').run('./entry.cjs')";
    expect(node(dir, run)).toBe('41');
    // the same length, other code: V8 alone would accept the old cache for it
    fs.writeFileSync(chunk, 'module.exports = 40 + 2;\n');
    expect(node(dir, run)).toBe('42');
  });
});
