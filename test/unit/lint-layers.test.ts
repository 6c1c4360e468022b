import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules of eslint.config.js bite: each probe is an import a layer must not make, linted as if it
 * were a file of that layer. The allowed imports beside them show the rules are not simply refusing everything.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('core/ never imports a shell or electron', () => {
  const probe = 'electron/core/session/probe.ts';
  it.each([
    ["import '../../main.js';", /never imports a shell/],
    ["import { run } from '../../commands/pub.js'; void run;", /never imports a shell/],
    ["import { x } from '../../shell/tray.js'; void x;", /never imports a shell/],
    ["import '../../host.js';", /never imports a shell/],
    ["import '../../cli.js';", /never imports a shell/],
    ["import { app } from 'electron'; void app;", /plain Node/],
  ])('%s is refused', async (code, message) => {
    const found = await restrictedImports(probe, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('its own folders and common/ are fine', async () => {
    const code = "import { x } from '../store/index.js';\nimport { topicMatches } from '../../common/topic-filter.js';\nvoid x; void topicMatches;";
    expect(await restrictedImports(probe, code)).toEqual([]);
  });
});

describe('common/ is innermost and runs anywhere', () => {
  const probe = 'electron/common/probe.ts';
  it.each([
    ["import { readFileSync } from 'node:fs'; void readFileSync;", /no Node built-ins/],
    ["import { x } from '../core/store/index.js'; void x;", /imports nothing from outside/],
    ["import { z } from '../api.js'; void z;", /imports nothing from outside/],
    ["import { app } from 'electron'; void app;", /may import 'electron'/],
  ])('%s is refused', async (code, message) => {
    const found = await restrictedImports(probe, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('a sibling in common/ is fine', async () => {
    expect(await restrictedImports(probe, "import { x } from './topic-filter.js'; void x;")).toEqual([]);
  });
});

describe("only the shells import 'electron'", () => {
  it('refused in host.ts and commands/, allowed in main.ts and shell/', async () => {
    const code = "import { app } from 'electron'; void app;";
    expect(await restrictedImports('electron/host.ts', code)).toHaveLength(1);
    expect(await restrictedImports('electron/commands/probe.ts', code)).toHaveLength(1);
    expect(await restrictedImports('electron/main.ts', code)).toEqual([]);
    expect(await restrictedImports('electron/shell/probe.ts', code)).toEqual([]);
  });
});

describe('the renderer reaches electron/ only through api types and common/ values', () => {
  const probe = 'renderer/src/lib/probe.ts';
  it.each([
    "import { createCore } from '../../../electron/core/core'; void createCore;",
    "import { startHost } from '../../../electron/host'; void startHost;",
    "import { parseCall } from '../../../electron/api'; void parseCall;",
  ])('%s is refused', async (code) => {
    expect(await restrictedImports(probe, code)).toHaveLength(1);
  });

  it('types from api and values from common/ are fine', async () => {
    const code =
      "import type { ProfileDTO } from '../../../electron/api';\nimport { topicFilterError } from '../../../electron/common/topic-filter';\nexport type P = ProfileDTO; void topicFilterError;";
    expect(await restrictedImports(probe, code)).toEqual([]);
  });
});
