/** A real core on a temp data dir, for integration tests. Secrets in memory unless a store is given. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BeebotteRest } from '../../electron/core/beebotte/rest-client.js';
import { createCore, type Core, type CoreOptions } from '../../electron/core/core.js';
import { systemClock, type Logger, type Platform, type SecretStore } from '../../electron/core/platform.js';
import { MemorySecretStore } from '../../electron/core/vault/index.js';
import { packageRoot } from '../../electron/node-platform.js';

export interface TestCore {
  core: Core;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

export function tempDir(prefix = 'apiary-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startTestCore(
  options: CoreOptions & { secrets?: SecretStore; dataDir?: string } = {},
): Promise<TestCore> {
  const dataDir = options.dataDir ?? tempDir();
  const logs: string[] = [];
  const log: Logger = {
    info: (m) => logs.push(`info ${m}`),
    warn: (m) => logs.push(`warn ${m}`),
    error: (m) => logs.push(`error ${m}`),
  };
  const platform: Platform = {
    shell: 'host',
    dataDir,
    resourcesDir: path.join(packageRoot, 'resources'),
    secrets: options.secrets ?? new MemorySecretStore(),
    clock: systemClock,
    log,
  };
  const core = await createCore(platform, { watchSerial: false, ...options });
  return {
    core,
    dataDir,
    logs,
    async close() {
      await core.close();
    },
  };
}

/** The embedded sandbox's demo account (its API and secret keys), read when called. */
export function sandboxDemo(t: TestCore): { apiKey: string; secretKey: string } {
  return t.core.services.sandbox!.demo!;
}

/** REST signed with the sandbox demo account's keys: the account's own view, beside what the core does. */
export function demoAccountRest(t: TestCore): BeebotteRest {
  const { apiKey, secretKey } = sandboxDemo(t);
  return new BeebotteRest(t.core.services.sandbox!.urls.http, { kind: 'keys', apiKey, secretKey });
}

/** `profiles.save` params for a profile holding the sandbox demo account's keys, as a user saves it. */
export function demoAccountProfile(t: TestCore, name: string, secretMode: 'keychain' | 'ask') {
  const { apiKey, secretKey } = sandboxDemo(t);
  return { name, kind: 'sandbox', credentialType: 'secretKey', apiKey, secret: secretKey, secretMode } as const;
}

/** Polls until check() returns a truthy value; bounded in time. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
