import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stderrLogger, systemClock, type Platform } from './core/platform.js';
import { KeytarSecretStore } from './core/vault/index.js';

/** dist/electron/ → the package root, where resources/ and renderer/dist/ live. */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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
