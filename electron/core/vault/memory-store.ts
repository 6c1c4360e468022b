import type { SecretStore } from '../platform.js';
import { VaultError } from './errors.js';

/**
 * Secrets in this process's memory only: for "ask at connect" profiles (entered once per session) and for
 * machines with no keychain. Gone when the process exits; nothing is ever written anywhere.
 */
export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();

  async status(): Promise<'ok'> {
    return 'ok';
  }

  async get(account: string): Promise<string | null> {
    return this.secrets.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    if (typeof account !== 'string' || account.length === 0) throw new VaultError('invalid', 'an account name must not be empty');
    if (typeof secret !== 'string' || secret.length === 0) throw new VaultError('invalid', 'a secret must be a non-empty string');
    this.secrets.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    return this.secrets.delete(account);
  }

  /** Forget everything (e.g. on quit), so nothing lingers longer than it must. */
  clear(): void {
    this.secrets.clear();
  }
}
