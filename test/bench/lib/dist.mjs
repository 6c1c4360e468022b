/**
 * The built core (npm run build:core → dist/electron): the scenarios that drive the core in-process load its modules
 * from here; the desk scenario starts the shipped bundle (dist/app, the same code). Built code, not the sources.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './proc.mjs';

/** APIARY_BENCH_DIST=/path/to/a/copy/of/dist/electron: measure another build (an A/B of two builds in one sitting) */
export const distDir = process.env.APIARY_BENCH_DIST ? path.resolve(process.env.APIARY_BENCH_DIST) : path.join(repoRoot, 'dist', 'electron');

export function checkBuilt() {
  const missing = ['core/core.js', 'host.js', 'cli.js'].filter((f) => !fs.existsSync(path.join(distDir, f)));
  if (missing.length) return `dist/electron is not built (${missing.join(', ')} missing): run npm run build:core`;
  if (!fs.existsSync(path.join(repoRoot, 'renderer', 'dist', 'index.html'))) return 'the UI is not built: run npm run build:renderer';
  return null;
}

const load = (rel) => import(pathToFileURL(path.join(distDir, rel)).href);

export async function coreModules() {
  const [core, platform, vault, np, sandbox] = await Promise.all([
    load('core/core.js'),
    load('core/platform.js'),
    load('core/vault/index.js'),
    load('node-platform.js'),
    load('sandbox/index.js'),
  ]);
  return {
    createCore: core.createCore,
    systemClock: platform.systemClock,
    MemorySecretStore: vault.MemorySecretStore,
    packageRoot: np.packageRoot,
    startSandbox: sandbox.startSandbox,
  };
}
