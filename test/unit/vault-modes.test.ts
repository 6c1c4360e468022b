import { describe, expect, it } from 'vitest';
import { MemorySecretStore, Vault, VaultError } from '../../electron/core/vault/index.js';

/** A stand-in keychain whose state the test chooses; it behaves like KeytarSecretStore when not 'ok'. */
class FakeKeychain extends MemorySecretStore {
  state: 'ok' | 'locked' | 'unavailable' = 'ok';
  override async status() {
    return this.state as 'ok';
  }
  override async get(account: string) {
    this.refuse();
    return super.get(account);
  }
  override async set(account: string, secret: string) {
    this.refuse();
    return super.set(account, secret);
  }
  override async delete(account: string) {
    this.refuse();
    return super.delete(account);
  }
  private refuse(): void {
    if (this.state !== 'ok') throw new VaultError(this.state, `keychain ${this.state}`);
  }
}

function setup() {
  const keychain = new FakeKeychain();
  const memory = new MemorySecretStore();
  const warnings: string[] = [];
  const vault = new Vault(keychain, { memory, log: { warn: (m) => warnings.push(m) } });
  return { keychain, memory, vault, warnings };
}

describe('Vault', () => {
  it("keeps a 'keychain' secret in the keychain only, under profile:<id>", async () => {
    const { keychain, memory, vault } = setup();
    await vault.save('p1', 'token_abc', 'keychain');
    expect(await keychain.get('profile:p1')).toBe('token_abc');
    expect(await memory.get('profile:p1')).toBeNull();
    expect(await vault.read('p1')).toBe('token_abc');
    expect(await vault.has('p1')).toBe(true);
  });

  it("keeps an 'ask' secret in memory only and deletes an older keychain copy", async () => {
    const { keychain, memory, vault } = setup();
    await vault.save('p1', 'old', 'keychain');
    await vault.save('p1', 'typed-at-connect', 'ask');
    expect(await keychain.get('profile:p1')).toBeNull();
    expect(await memory.get('profile:p1')).toBe('typed-at-connect');
    expect(await vault.read('p1')).toBe('typed-at-connect');
  });

  it("moves a secret from 'ask' to 'keychain' without a stale memory copy", async () => {
    const { keychain, memory, vault } = setup();
    await vault.save('p1', 'session-only', 'ask');
    await vault.save('p1', 'kept', 'keychain');
    expect(await memory.get('profile:p1')).toBeNull();
    expect(await keychain.get('profile:p1')).toBe('kept');
    expect(await vault.read('p1')).toBe('kept');
  });

  it('forget clears both stores', async () => {
    const { keychain, memory, vault } = setup();
    await keychain.set('profile:p1', 'in-keychain');
    await memory.set('profile:p1', 'in-memory');
    expect(await vault.forget('p1')).toBe(true);
    expect(await keychain.get('profile:p1')).toBeNull();
    expect(await memory.get('profile:p1')).toBeNull();
    expect(await vault.has('p1')).toBe(false);
    expect(await vault.forget('p1')).toBe(false);
  });

  it('keeps profiles apart', async () => {
    const { vault } = setup();
    await vault.save('a', 'secret-a', 'keychain');
    await vault.save('b', 'secret-b', 'ask');
    await vault.forget('a');
    expect(await vault.read('a')).toBeNull();
    expect(await vault.read('b')).toBe('secret-b');
  });

  it.each(['locked', 'unavailable'] as const)("refuses to save in 'keychain' mode when the keychain is %s", async (state) => {
    const { keychain, memory, vault } = setup();
    keychain.state = state;
    const error = await vault.save('p1', 'do-not-leak', 'keychain').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect(error).toMatchObject({ code: state });
    expect((error as Error).message).toMatch(/ask at connect/);
    expect((error as Error).message).not.toContain('do-not-leak');
    expect(await memory.get('profile:p1')).toBeNull(); // no quiet fallback
  });

  it("still saves in 'ask' mode when the keychain is locked, with a warning that names no secret", async () => {
    const { keychain, vault, warnings } = setup();
    keychain.state = 'locked';
    await vault.save('p1', 'typed', 'ask');
    expect(await vault.read('p1')).toBe('typed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain('typed');
  });

  it('reads through a locked keychain as an error, through a missing one as "nothing stored"', async () => {
    const { keychain, vault } = setup();
    keychain.state = 'locked';
    await expect(vault.read('p1')).rejects.toMatchObject({ code: 'locked' });
    await expect(vault.forget('p1')).rejects.toMatchObject({ code: 'locked' });
    expect(await vault.has('p1')).toBe(false);
    keychain.state = 'unavailable';
    expect(await vault.read('p1')).toBeNull();
    expect(await vault.forget('p1')).toBe(false);
    expect(await vault.status()).toBe('unavailable');
  });

  it('rejects bad input with a clear error', async () => {
    const { vault } = setup();
    await expect(vault.save('', 'x', 'keychain')).rejects.toMatchObject({ code: 'invalid' });
    await expect(vault.save('p1', '', 'ask')).rejects.toMatchObject({ code: 'invalid' });
    await expect(vault.save('p1', 'x', 'file' as never)).rejects.toMatchObject({ code: 'invalid' });
    await expect(vault.read('x'.repeat(201))).rejects.toMatchObject({ code: 'invalid' });
  });
});
