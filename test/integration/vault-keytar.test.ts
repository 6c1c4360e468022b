/**
 * keytar against a real gnome-keyring on a private D-Bus session. Run under the keyring wrapper:
 *   bash test/tools/with-keyring.sh npx vitest run --project integration test/integration/vault-keytar.test.ts
 * Cases that need another keychain state (locked, none at all) run in child processes, because libsecret
 * binds a process to one session bus for good.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProfileDTO } from '../../electron/api.js';
import { KeytarSecretStore, MemorySecretStore, Vault, VaultError } from '../../electron/core/vault/index.js';
import { startTestCore } from '../tools/core-fixture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const withKeyring = path.join(root, 'test', 'tools', 'with-keyring.sh');
const vaultModule = pathToFileURL(path.join(root, 'electron', 'core', 'vault', 'index.ts')).href;
const typescriptModule = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
const underKeyring = process.env.APIARY_TEST_KEYRING === '1';
const LOGIN = '/org/freedesktop/secrets/collection/login';

/**
 * Module hooks for the child processes: Node 20 cannot run TypeScript, so transpile the vault's .ts files
 * with the project's own typescript (and map their `./x.js` imports to `./x.ts`).
 */
const hooks = `
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
let ts;
export async function initialize(data) { ts = (await import(data.typescript)).default; }
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const candidate = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
    if (existsSync(candidate)) return { url: candidate.href, shortCircuit: true };
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const out = ts.transpileModule(source, { fileName: url, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}`;

/** A fresh Node process with `vault` (the vault module) in scope; `body` ends with `return <json-able>`. */
function childScript(body: string): string {
  return `
import { register } from 'node:module';
import { execFileSync } from 'node:child_process';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}), { data: { typescript: ${JSON.stringify(typescriptModule)} } });
const vault = await import(${JSON.stringify(vaultModule)});
const errorOf = async (fn) => { try { await fn(); return null; } catch (e) { return { name: e.name, code: e.code, message: e.message, isVaultError: e instanceof vault.VaultError }; } };
const result = await (async () => { ${body} })();
console.log(JSON.stringify(result));`;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: root, env, timeout: 20_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** What errorOf() reports from a child: enough to check the error without passing the object itself. */
interface SeenError {
  name: string;
  code: string;
  message: string;
  isVaultError: boolean;
}

/** Runs `body` in a fresh Node process and returns what it returned. */
async function inChild<T>(body: string, options: { env?: NodeJS.ProcessEnv; ownKeyring?: boolean } = {}): Promise<T> {
  const node = [process.execPath, '--input-type=module', '-e', childScript(body)];
  const stdout = options.ownKeyring
    ? await run('bash', [withKeyring, ...node], options.env)
    : await run(node[0]!, node.slice(1), options.env);
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** Every file under dir whose bytes contain needle (to prove a secret never lands in a file in clear). */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (at: string, depth: number): void => {
    if (depth > 8) return;
    for (const name of readdirSync(at)) {
      const full = path.join(at, name);
      const info = statSync(full, { throwIfNoEntry: false });
      if (info?.isDirectory()) walk(full, depth + 1);
      else if (info?.isFile() && info.size < 4 << 20 && readFileSync(full).includes(needle)) found.push(full);
    }
  };
  walk(dir, 0);
  return found;
}

const unique = (label: string): string => `${label}-${randomBytes(6).toString('hex')}`;

if (!underKeyring) {
  describe.skip('vault: keytar against gnome-keyring — skipped: run under `bash test/tools/with-keyring.sh npx vitest …` (APIARY_TEST_KEYRING is not set)', () => {
    it('needs the private keyring', () => {});
  });
} else {
  describe('vault: keytar against a real, unlocked gnome-keyring', () => {
    const store = new KeytarSecretStore();
    const accounts: string[] = [];
    afterAll(async () => {
      for (const account of accounts) await store.delete(account).catch(() => false);
    });

    it('finds the keychain usable', async () => {
      expect(await store.check({ fresh: true })).toEqual({ status: 'ok' });
      expect(await store.status()).toBe('ok');
    });

    it('stores, reads and deletes a secret', async () => {
      const account = unique('profile:roundtrip');
      accounts.push(account);
      const secret = unique('token_');
      expect(await store.get(account)).toBeNull();
      await store.set(account, secret);
      expect(await store.get(account)).toBe(secret);
      await store.set(account, `${secret}-changed`);
      expect(await store.get(account)).toBe(`${secret}-changed`);
      expect(await store.delete(account)).toBe(true);
      expect(await store.get(account)).toBeNull();
      expect(await store.delete(account)).toBe(false);
    });

    it('keeps a keychain secret in the keychain: a fresh process reads it, and no file holds it in clear', async () => {
      const vault = new Vault(store);
      const profileId = unique('p');
      accounts.push(`profile:${profileId}`);
      const secret = unique('iamtkn_');
      await vault.save(profileId, secret, 'keychain');
      expect(await vault.read(profileId)).toBe(secret);

      const seen = await inChild<string | null>(
        `return await new vault.KeytarSecretStore().get(${JSON.stringify(`profile:${profileId}`)});`,
      );
      expect(seen).toBe(secret);
      expect(filesContaining(process.env.XDG_DATA_HOME!, secret)).toEqual([]);

      expect(await vault.forget(profileId)).toBe(true);
      expect(
        await inChild<string | null>(
          `return await new vault.KeytarSecretStore().get(${JSON.stringify(`profile:${profileId}`)});`,
        ),
      ).toBeNull();
    });

    it("keeps an 'ask' secret out of the keychain and removes an older keychain copy", async () => {
      const memory = new MemorySecretStore();
      const vault = new Vault(store, { memory });
      const profileId = unique('p');
      const account = `profile:${profileId}`;
      accounts.push(account);
      await vault.save(profileId, 'old-keychain-secret', 'keychain');
      await vault.save(profileId, 'typed-at-connect', 'ask');
      expect(await vault.read(profileId)).toBe('typed-at-connect');
      expect(await store.get(account)).toBeNull();
      expect(
        await inChild<string | null>(`return await new vault.KeytarSecretStore().get(${JSON.stringify(account)});`),
      ).toBeNull();
    });

    it('detects a locked keyring: status, save and read all say so, and never leak the secret', async () => {
      // A keyring of its own (nested private bus), so locking it cannot disturb other tests.
      const result = await inChild<{
        status: string;
        check: { status: string };
        save: SeenError;
        read: SeenError;
        set: SeenError;
        forget: SeenError;
        has: boolean;
      }>(
        `
        const before = new vault.KeytarSecretStore();
        await before.set('profile:stored-before-lock', 'stored-before-lock-secret');
        execFileSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.secrets', '--object-path', '/org/freedesktop/secrets',
          '--method', 'org.freedesktop.Secret.Service.Lock', "['${LOGIN}']"], { stdio: ['ignore', 'ignore', 'inherit'] });
        const store = new vault.KeytarSecretStore();
        const v = new vault.Vault(store);
        return {
          status: await store.status(),
          check: await store.check(),
          save: await errorOf(() => v.save('p1', 'do-not-leak-this', 'keychain')),
          read: await errorOf(() => v.read('stored-before-lock')),
          set: await errorOf(() => store.set('profile:p2', 'do-not-leak-this')),
          forget: await errorOf(() => v.forget('stored-before-lock')),
          has: await v.has('stored-before-lock'),
        };`,
        { ownKeyring: true },
      );
      expect(result.status).toBe('locked');
      expect(result.check.status).toBe('locked');
      for (const attempt of [result.save, result.read, result.set, result.forget]) {
        expect(attempt).toMatchObject({ name: 'VaultError', code: 'locked', isVaultError: true });
        expect(attempt.message).toMatch(/keychain is locked: unlock it/);
        expect(attempt.message).not.toContain('do-not-leak-this');
      }
      expect(result.has).toBe(false);
    });

    it('reports no keychain at all (no D-Bus session) as unavailable, with the reason', async () => {
      const emptyRuntime = mkdtempSync(path.join(os.tmpdir(), 'apiary-nobus-'));
      try {
        const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: emptyRuntime };
        for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'GNOME_KEYRING_CONTROL']) delete env[name];
        const result = await inChild<{
          check: { status: string; reason?: string };
          save: SeenError;
          get: SeenError;
          read: string | null;
          askThenRead: string | null;
        }>(
          `
          const store = new vault.KeytarSecretStore();
          const v = new vault.Vault(store);
          return {
            check: await store.check(),
            save: await errorOf(() => v.save('p1', 'do-not-leak-this', 'keychain')),
            get: await errorOf(() => store.get('profile:p1')),
            read: await v.read('p1'),
            askThenRead: await v.save('p2', 'typed-at-connect', 'ask').then(() => v.read('p2')),
          };`,
          { env },
        );
        expect(result.check.status).toBe('unavailable');
        expect(result.check.reason).toMatch(/D-Bus|DBus|bus/i);
        for (const attempt of [result.save, result.get]) {
          expect(attempt).toMatchObject({ name: 'VaultError', code: 'unavailable', isVaultError: true });
          expect(attempt.message).toMatch(/no usable keychain \(.+\)/);
          expect(attempt.message).not.toContain('do-not-leak-this');
        }
        expect(result.read).toBeNull();
        expect(result.askThenRead).toBe('typed-at-connect');
      } finally {
        rmSync(emptyRuntime, { recursive: true, force: true });
      }
    });

    it("keeps a generic profile's token username in the keychain, apart from its password, and removes both with the profile", async () => {
      const t = await startTestCore({ secrets: store, embeddedSandbox: false });
      try {
        const username = unique('token_');
        const password = unique('pw');
        const saved = (await t.core.call('profiles.save', {
          name: 'token user',
          kind: 'mqtt',
          url: 'mqtt://127.0.0.1:1883',
          username,
          secret: password,
        })) as ProfileDTO;
        accounts.push(`profile:${saved.id}`, `profile:${saved.id}#username`);
        expect(saved).toMatchObject({ usernameIsSecret: true, usernameStored: true, hasSecret: true });
        expect(saved.username).toBeUndefined();
        // another process sees both entries in the keychain; no file holds the username in clear
        const seen = await inChild<[string | null, string | null]>(
          `const s = new vault.KeytarSecretStore(); return [await s.get(${JSON.stringify(`profile:${saved.id}#username`)}), await s.get(${JSON.stringify(`profile:${saved.id}`)})];`,
        );
        expect(seen).toEqual([username, password]);
        expect(filesContaining(t.dataDir, username)).toEqual([]);
        expect(filesContaining(process.env.XDG_DATA_HOME!, username)).toEqual([]);
        // an edit with a blank username keeps it; the profile goes with both of its entries
        await t.core.call('profiles.save', {
          id: saved.id,
          name: 'token user',
          kind: 'mqtt',
          url: 'mqtt://127.0.0.1:1884',
          username: '',
        });
        expect(await store.get(`profile:${saved.id}#username`)).toBe(username);
        // switched to 'ask at connect': the username leaves the keychain with the password, held for this run
        await t.core.call('profiles.save', {
          id: saved.id,
          name: 'token user',
          kind: 'mqtt',
          url: 'mqtt://127.0.0.1:1884',
          username: '',
          secretMode: 'ask',
        });
        expect(await store.get(`profile:${saved.id}#username`)).toBeNull();
        expect(await t.core.services.vault.read(`${saved.id}#username`)).toBe(username);
        await t.core.call('profiles.remove', { id: saved.id });
        expect(
          await inChild<[string | null, string | null]>(
            `const s = new vault.KeytarSecretStore(); return [await s.get(${JSON.stringify(`profile:${saved.id}#username`)}), await s.get(${JSON.stringify(`profile:${saved.id}`)})];`,
          ),
        ).toEqual([null, null]);
      } finally {
        await t.close();
      }
    });

    it('moves a token username an older version wrote to profiles.json into the keychain at start', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'apiary-legacy-'));
      try {
        const username = unique('iamtkn_');
        const id = unique('legacy');
        accounts.push(`profile:${id}#username`);
        const legacy = {
          id,
          name: 'legacy',
          kind: 'mqtt',
          url: 'mqtt://127.0.0.1:1883',
          username,
          tls: false,
          protocolVersion: 4,
          verifyTls: true,
          subscriptions: ['#'],
          autoConnect: false,
          secretMode: 'keychain',
        };
        writeFileSync(path.join(dataDir, 'profiles.json'), JSON.stringify({ version: 1, profiles: [legacy] }));
        const t = await startTestCore({ secrets: store, embeddedSandbox: false, dataDir });
        await t.close();
        expect(await store.get(`profile:${id}#username`)).toBe(username);
        expect(filesContaining(dataDir, username)).toEqual([]);
        expect(JSON.parse(readFileSync(path.join(dataDir, 'profiles.json'), 'utf8'))).toMatchObject({
          profiles: [{ id, usernameIsSecret: true }],
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it('saves nothing when asked to store an empty secret', async () => {
      await expect(new Vault(store).save(unique('p'), '', 'keychain')).rejects.toBeInstanceOf(VaultError);
    });
  });
}
