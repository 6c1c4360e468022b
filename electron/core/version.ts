import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app version from the package.json above this file (electron/core/ in tests, dist/app/ or dist/electron/core/ when built). */
export function appVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'apiary' && pkg.version) return pkg.version;
    } catch {
      // not here: one level up
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}
