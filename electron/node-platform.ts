import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stderrLogger, systemClock, type Platform } from './core/platform.js';
import { KeytarSecretStore } from './core/vault/index.js';

/** The package root (resources/, renderer/dist/), from dist/app/ or dist/electron/ when built, electron/ in tests. */
export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(start: string): string {
  let dir = start;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'resources'))) return dir;
    dir = path.dirname(dir);
  }
  return path.resolve(start, '..', '..');
}

export function defaultDataDir(): string {
  return process.env.APIARY_DATA_DIR || path.join(os.homedir(), '.apiary');
}

/** The Platform for Node shells (headless host and CLI): keytar for secrets, stderr for logs. */
export function createNodePlatform(shell: Platform['shell'], dataDir = defaultDataDir()): Platform {
  return {
    shell,
    dataDir,
    resourcesDir: path.join(packageRoot, 'resources'),
    secrets: new KeytarSecretStore(),
    clock: systemClock,
    log: stderrLogger,
  };
}

export const rendererDir = path.join(packageRoot, 'renderer', 'dist');
