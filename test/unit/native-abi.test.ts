import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Electron's main process loads the production dependencies from the same node_modules as Node does. An addon
 * built for one ABI (it exports node_register_module_v115 and no napi_register_module_v1) loads in only one of
 * them, so the tray app would fail at its first require. Only Node-API addons may ship.
 */
const root = path.resolve(import.meta.dirname, '../..');

interface Addon {
  file: string;
  kind: 'node-api' | 'abi-specific' | 'unknown';
}

/** The installed directories of production dependencies, from the lockfile (dev-only ones are flagged there). */
function productionPackageDirs(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([key, meta]) => key.startsWith('node_modules/') && !meta.dev)
    .map(([key]) => path.join(root, key))
    .filter((dir) => fs.existsSync(dir));
}

/** The .node files of one package, not descending into its own node_modules (those are entries of their own). */
function addonFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.node')) out.push(full);
    }
  };
  walk(dir);
  return out;
}

/**
 * What `nm -D` shows, read from the file's bytes: an exported name is in the symbol table as text in ELF,
 * Mach-O and PE alike, and packages ship prebuilds for every platform (nm reads only this one's format).
 */
function classifyAddon(file: string): Addon {
  const bytes = fs.readFileSync(file);
  if (bytes.includes('napi_register_module_v1')) return { file, kind: 'node-api' };
  if (/node_register_module_v\d+/.test(bytes.toString('latin1'))) return { file, kind: 'abi-specific' };
  return { file, kind: 'unknown' };
}

describe('native addons of the production dependencies', () => {
  it('are all Node-API, so Node and Electron load the same install', () => {
    const addons = productionPackageDirs().flatMap(addonFiles).map(classifyAddon);
    const rel = (a: Addon) => path.relative(root, a.file);
    // the store, the keychain and serial ports are native: finding none would mean the scan looked nowhere
    expect(addons.map(rel).some((f) => f.includes('@libsql'))).toBe(true);
    expect(addons.map(rel).some((f) => f.includes('keytar'))).toBe(true);
    const offenders = addons.filter((a) => a.kind !== 'node-api').map((a) => `${rel(a)} (${a.kind}: exports no napi_register_module_v1)`);
    expect(offenders).toEqual([]);
  });

  it('flags an addon built for one Node ABI (the check can fail)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-abi-'));
    try {
      const src = path.join(dir, 'abi.c');
      fs.writeFileSync(src, 'void node_register_module_v115(void) {}\n');
      const file = path.join(dir, 'abi.node');
      execFileSync('gcc', ['-shared', '-fPIC', '-o', file, src]);
      expect(classifyAddon(file).kind).toBe('abi-specific');
      // and agrees with nm on this platform's format
      expect(execFileSync('nm', ['-D', '--defined-only', file], { encoding: 'utf8' })).toMatch(/node_register_module_v115/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
