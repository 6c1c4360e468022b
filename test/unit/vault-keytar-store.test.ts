/** KeytarSecretStore's decisions with a scripted keytar; the real gnome-keyring is in test/integration/vault-keytar. */
import { describe, expect, it } from 'vitest';
import { KeytarSecretStore, VaultError, type KeytarApi } from '../../electron/core/vault/index.js';

/** An in-memory keytar that can act locked the way gnome-keyring does, or fail the way a missing bus does. */
class ScriptedKeytar implements KeytarApi {
  readonly items = new Map<string, string>();
  mode: 'ok' | 'locked-silent' | 'locked-error' | 'no-bus' | 'echo-secret' | 'hang' = 'ok';
  calls = 0;
  async getPassword(service: string, account: string) {
    this.calls++;
    this.fail();
    if (this.mode === 'locked-silent' || this.mode === 'locked-error') return null;
    return this.items.get(`${service}/${account}`) ?? null;
  }
  async setPassword(service: string, account: string, password: string) {
    this.calls++;
    if (this.mode === 'hang') return new Promise<void>(() => {});
    if (this.mode === 'echo-secret') throw new Error(`refused to store ${password}`);
    if (this.mode === 'locked-error') throw new Error('Cannot create an item in a locked collection');
    this.fail();
    if (this.mode === 'locked-silent') return; // accepted, but never readable: what "null on locked" looks like
    this.items.set(`${service}/${account}`, password);
  }
  async deletePassword(service: string, account: string) {
    this.calls++;
    this.fail();
    if (this.mode !== 'ok') return false;
    return this.items.delete(`${service}/${account}`);
  }
  private fail(): void {
    if (this.mode === 'no-bus') throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
  }
}

function setup(options: { statusTtlMs?: number; probeTimeoutMs?: number } = {}) {
  const keytar = new ScriptedKeytar();
  let clock = 0;
  const store = new KeytarSecretStore({ ...options, loadKeytar: () => keytar, now: () => clock });
  return { keytar, store, advance: (ms: number) => (clock += ms) };
}

describe('KeytarSecretStore', () => {
  it('stores under the Apiary service and leaves no canary behind after a probe', async () => {
    const { keytar, store } = setup();
    expect(await store.status()).toBe('ok');
    await store.set('profile:p1', 'tok');
    expect([...keytar.items.keys()]).toEqual(['Apiary/profile:p1']);
    expect(await store.get('profile:p1')).toBe('tok');
    expect(await store.delete('profile:p1')).toBe(true);
  });

  it('detects a keyring that accepts a secret but silently reads back null as locked', async () => {
    const { keytar, store } = setup();
    keytar.mode = 'locked-silent';
    expect(await store.check()).toMatchObject({ status: 'locked' });
    await expect(store.get('profile:p1')).rejects.toMatchObject({ code: 'locked' });
    await expect(store.delete('profile:p1')).rejects.toMatchObject({ code: 'locked' });
  });

  it('classifies "locked collection" errors as locked and D-Bus errors as unavailable, with the reason', async () => {
    const { keytar, store } = setup();
    keytar.mode = 'locked-error';
    expect(await store.check({ fresh: true })).toMatchObject({ status: 'locked' });
    await expect(store.set('profile:p1', 'x')).rejects.toMatchObject({ code: 'locked' });
    keytar.mode = 'no-bus';
    expect(await store.check({ fresh: true })).toEqual({
      status: 'unavailable',
      reason: 'Cannot autolaunch D-Bus without X11 $DISPLAY',
    });
    const error = await store.get('profile:p1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as Error).message).toContain('no usable keychain (Cannot autolaunch D-Bus');
  });

  it('never lets a secret echoed by the keychain reach an error message', async () => {
    const { keytar, store } = setup();
    keytar.mode = 'echo-secret';
    const error = await store.set('profile:p1', 'super-secret-token').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultError);
    expect((error as Error).message).not.toContain('super-secret-token');
  });

  it('is unavailable, not crashed, when the native module cannot load', async () => {
    const store = new KeytarSecretStore({
      loadKeytar: () => {
        throw new Error('libsecret-1.so.0: cannot open shared object file');
      },
    });
    expect(await store.check()).toMatchObject({ status: 'unavailable', reason: expect.stringContaining('libsecret-1.so.0') });
    await expect(store.set('profile:p1', 'x')).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('caches the status briefly and shares one probe between concurrent callers', async () => {
    const { keytar, store, advance } = setup({ statusTtlMs: 1000 });
    await Promise.all([store.status(), store.status(), store.status()]);
    const afterFirstProbe = keytar.calls;
    expect(afterFirstProbe).toBe(3); // one canary: set, get, delete
    await store.status();
    expect(keytar.calls).toBe(afterFirstProbe);
    advance(1001);
    keytar.mode = 'locked-silent';
    expect(await store.status()).toBe('locked');
  });

  it('counts a probe nobody answers (an unlock prompt left open) as locked', async () => {
    const { keytar, store } = setup({ probeTimeoutMs: 20 });
    keytar.mode = 'hang';
    expect(await store.check()).toMatchObject({ status: 'locked', reason: expect.stringContaining('did not answer') });
  });

  it('rejects empty account names and secrets', async () => {
    const { store } = setup();
    await expect(store.set('', 'x')).rejects.toMatchObject({ code: 'invalid' });
    await expect(store.set('profile:p1', '')).rejects.toMatchObject({ code: 'invalid' });
  });
});
