import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder packs the `files` globs of electron-builder.yml plus the production dependencies. Everything the
 * built main process imports at run time must be in that set: a dev-only import, or a file outside the globs,
 * works from the source tree and fails only in the installed app.
 */
const root = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The `files:` list of electron-builder.yml (a plain list of quoted or bare globs; `!` excludes). */
function packedGlobs(): { include: string[]; exclude: string[] } {
  const yml = fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');
  const block = /^files:\n((?:\s+-.*\n)+)/m.exec(yml);
  if (!block) throw new Error('electron-builder.yml has no files: list');
  const globs = block[1]!.split('\n').map((l) => l.replace(/^\s*-\s*/, '').replace(/^["']|["']$/g, '').trim()).filter(Boolean);
  return { include: globs.filter((g) => !g.startsWith('!')), exclude: globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1)) };
}

function isPacked(rel: string, globs: { include: string[]; exclude: string[] }): boolean {
  const m = (g: string) => path.matchesGlob(rel, g);
  return globs.include.some(m) && !globs.exclude.some(m);
}

/** Static specifiers of a built ES module: import/export from, import(), require()/createRequire'd require() and resolve(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\w*(?:\.resolve)?\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bcreateRequire\([^)]*\)\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const match of source.matchAll(re)) out.push(match[1]!);
  return out;
}

/** An npm package name, possibly with a subpath: what a real bare specifier looks like (a bundle's code also holds
 * strings like `from ' || arg'` that the patterns above catch). */
const BARE_SPECIFIER = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(\/[\w.@/-]*)?$/;

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/** Walks the import graph of the built main process from package.json's main. */
function runtimeImports(): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const queue = [path.join(root, pkg.main)];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    files.push(path.relative(root, file));
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (spec.startsWith('.')) queue.push(path.resolve(path.dirname(file), spec));
      else if (BARE_SPECIFIER.test(spec) && !builtinModules.includes(packageName(spec))) packages.add(packageName(spec));
    }
  }
  return { files, packages };
}

describe('what electron-builder packs', () => {
  const globs = packedGlobs();
  const graph = runtimeImports();

  it('walks the real graph (main, the core, the store binding)', () => {
    expect(graph.files).toContain('dist/app/main.js');
    // the core is in the bundle (scripts/bundle-core.mjs), not loaded from tsc's dist/electron
    const bundled = graph.files.filter((f) => f.startsWith('dist/app/'));
    expect(bundled.some((f) => fs.readFileSync(path.join(root, f), 'utf8').includes('function createCore('))).toBe(true);
    expect(graph.files.filter((f) => f.startsWith('dist/electron/'))).toEqual([]);
    expect(graph.packages).toContain('libsql');
    expect(graph.packages).toContain('keytar');
  });

  it('holds every file the main process imports, and the renderer and preload it loads', () => {
    // the store's writer thread is started by path (new URL beside its caller), not imported
    const loaded = [
      ...graph.files,
      'dist/app/writer-worker.cjs',
      'renderer/dist/index.html',
      'dist/preload/preload.js',
      'resources/certs/beebotte-ca.pem',
    ];
    expect(loaded.filter((f) => !fs.existsSync(path.join(root, f)))).toEqual([]);
    expect(loaded.filter((f) => !isPacked(f, globs))).toEqual([]);
  });

  it('imports no dev-only package at run time (electron itself is provided by the app)', () => {
    // electron-builder packs the production dependency tree: a direct dependency, or one a bundled library (fastify's
    // ajv) brings with it, as package-lock.json records it (no "dev" flag)
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
    };
    const shipped = (p: string) => {
      const entry = lock.packages[`node_modules/${p}`];
      return p in pkg.dependencies || (entry !== undefined && !entry.dev && !entry.devOptional);
    };
    expect([...graph.packages].filter((p) => p !== 'electron' && !shipped(p))).toEqual([]);
    expect(graph.packages.size).toBeGreaterThan(3);
  });

  it('keeps native addons out of the asar archive', () => {
    expect(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')).toMatch(/asarUnpack:\s*\n\s*-\s*["']?\*\*\/\*\.node["']?/);
  });
});
