import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The layer rules of eslint.config.js bite: each probe is an import a layer must not make, linted as if it
 * were a file of that layer. The allowed imports beside them show the rules are not simply refusing everything.
 */
const eslint = new ESLint({ cwd: process.cwd() });

// loading the config and its plugins takes seconds on a busy machine: once, before the probes
beforeAll(() => eslint.lintText('', { filePath: 'electron/core/warm-up.ts' }), 60_000);

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

describe('core/ reaches the sandbox only through its index, and only from the composition root', () => {
  it.each([
    ['electron/core/core.ts', "import { openDb } from '../sandbox/db.js'; void openDb;"],
    ['electron/core/core.ts', "import { SandboxAccounts } from '../sandbox/accounts.js'; void SandboxAccounts;"],
    ['electron/core/embedded/probe.ts', "import { x } from '../../sandbox/rest/auth.js'; void x;"],
    ['electron/core/handlers/probe.ts', "import { x } from '../../sandbox/topics.js'; void x;"],
  ])('%s: %s is refused (an internal)', async (file, code) => {
    const found = await restrictedImports(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/only through its public index/);
  });

  it.each(['electron/core/handlers/probe.ts', 'electron/core/session/probe.ts'])(
    'the index itself is refused in %s (not the composition root)',
    async (file) => {
      const found = await restrictedImports(file, "import { startSandbox } from '../../sandbox/index.js'; void startSandbox;");
      expect(found).toHaveLength(1);
      expect(found[0]).toMatch(/only the composition root/);
    },
  );

  it('core.ts and embedded/ may start it through the index, and still never import a shell', async () => {
    const start = "import { startSandbox } from '../sandbox/index.js'; void startSandbox;";
    expect(await restrictedImports('electron/core/core.ts', start)).toEqual([]);
    expect(await restrictedImports('electron/core/embedded/probe.ts', start.replace('../', '../../'))).toEqual([]);
    expect(await restrictedImports('electron/core/core.ts', "import '../main.js';")).toHaveLength(1);
    const electronImport = "import { app } from 'electron'; void app;";
    expect(await restrictedImports('electron/core/embedded/probe.ts', electronImport)).toHaveLength(1);
  });
});

describe('sandbox/ is a product of its own', () => {
  it.each([
    ['electron/sandbox/probe.ts', "import { x } from '../core/store/index.js'; void x;", /nothing else from core/],
    ['electron/sandbox/probe.ts', "import { x } from '../core/session/manager.js'; void x;", /nothing else from core/],
    ['electron/sandbox/rest/probe.ts', "import { x } from '../../core/beebotte/signing.js'; void x;", /nothing else from core/],
    ['electron/sandbox/probe.ts', "import '../main.js';", /never imports a shell/],
    ['electron/sandbox/probe.ts', "import { run } from '../commands/pub.js'; void run;", /never imports a shell/],
    ['electron/sandbox/rest/probe.ts', "import '../../host.js';", /never imports a shell/],
    ['electron/sandbox/probe.ts', "import { app } from 'electron'; void app;", /plain Node/],
  ])('%s: %s is refused', async (file, code, message) => {
    const found = await restrictedImports(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
  });

  it('common/, the core SQLite wrapper and its own files are fine', async () => {
    const code =
      "import * as Database from '../core/store/sqlite.js';\nimport type { Params } from '../core/store/sqlite-types.js';\nimport { topicMatches } from '../common/topic-filter.js';\nimport { errors } from './errors.js';\nexport type P = Params; void Database; void topicMatches; void errors;";
    expect(await restrictedImports('electron/sandbox/probe.ts', code)).toEqual([]);
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

describe('the contract (api.ts, api/) is innermost', () => {
  it.each([
    ['electron/api.ts', "import type { Rule } from './core/alerts/index.js'; export type R = Rule;"],
    ['electron/api/probe.ts', "import { AlertStore } from '../core/alerts/store.js'; void AlertStore;"],
    ['electron/api/probe.ts', "import { startSandbox } from '../sandbox/index.js'; void startSandbox;"],
    ['electron/api/probe.ts', "import { readFileSync } from 'node:fs'; void readFileSync;"],
  ])('%s: %s is refused', async (file, code) => {
    expect(await restrictedImports(file, code)).toHaveLength(1);
  });

  it('common/ and its own files are fine', async () => {
    const code = "import { topicFilterError } from '../common/topic-filter.js';\nimport type { SessionStatus } from '../api.js';\nexport type S = SessionStatus; void topicFilterError;";
    expect(await restrictedImports('electron/api/probe.ts', code)).toEqual([]);
  });
});

describe('shells use the contract, not the services behind it', () => {
  const code = 'declare const core: { services: { profiles: { list(): unknown } } };\nexport const p = core.services.profiles.list();';
  it.each(['electron/main.ts', 'electron/host.ts', 'electron/commands/probe.ts', 'electron/shell/probe.ts'])('%s: core.services is refused', async (file) => {
    const [result] = await eslint.lintText(code, { filePath: file });
    expect(result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message)).toEqual([
      'shells use core.call(), not core.services.',
    ]);
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
