import type { Logger, SecretStore } from '../platform.js';
import { lockedError, unavailableError, VaultError } from './errors.js';
import { MemorySecretStore } from './memory-store.js';

/** Where a profile's secret lives: the OS keychain, or this session's memory ("ask at connect"). */
export type SecretMode = 'keychain' | 'ask';
export type KeychainStatus = Awaited<ReturnType<SecretStore['status']>>;

export interface VaultOptions {
  /** session memory for 'ask' secrets; a fresh MemorySecretStore by default */
  memory?: SecretStore;
  /** for warnings that must not stop the caller (never given a secret) */
  log?: Pick<Logger, 'warn'>;
}

const MAX_PROFILE_ID_LENGTH = 200;

/**
 * Profile secrets, keyed by profile id. 'keychain' secrets go to the OS keychain and nowhere else — a locked
 * or missing keychain is an error, never a quiet fallback to a file. 'ask' secrets stay in memory for this
 * session. Reads look in memory first, so a secret entered at connect wins over an older keychain copy.
 */
export class Vault {
  private readonly memory: SecretStore;
  private readonly log: Pick<Logger, 'warn'> | undefined;

  constructor(
    private readonly keychain: SecretStore,
    options: VaultOptions = {},
  ) {
    this.memory = options.memory ?? new MemorySecretStore();
    this.log = options.log;
  }

  status(): Promise<KeychainStatus> {
    return this.keychain.status();
  }

  async save(profileId: string, secret: string, mode: SecretMode): Promise<void> {
    const account = accountFor(profileId);
    if (typeof secret !== 'string' || secret.length === 0) throw new VaultError('invalid', 'the secret must not be empty');
    if (mode === 'ask') {
      await this.memory.set(account, secret);
      await this.dropKeychainCopy(account);
      return;
    }
    if (mode !== 'keychain') throw new VaultError('invalid', `unknown secret mode ${String(mode)}: use 'keychain' or 'ask'`);
    const { status, reason } = await this.explainStatus();
    if (status === 'locked') throw lockedError('store the secret');
    if (status === 'unavailable') throw unavailableError(reason ?? 'none found on this system', 'store the secret');
    await this.keychain.set(account, secret);
    await this.memory.delete(account); // the keychain copy is now the one that counts
  }

  /**
   * The profile's secret, or null when none is stored. Throws VaultError('locked') when the keychain may hold
   * it but will not open; an unreachable keychain ('unavailable') holds nothing we can use, hence null.
   */
  async read(profileId: string): Promise<string | null> {
    const account = accountFor(profileId);
    const remembered = await this.memory.get(account);
    if (remembered !== null) return remembered;
    try {
      return await this.keychain.get(account);
    } catch (error) {
      if (error instanceof VaultError && error.code === 'unavailable') return null;
      throw error;
    }
  }

  /** Whether a secret can be used right now. Never throws for a locked or missing keychain (answers false). */
  async has(profileId: string): Promise<boolean> {
    try {
      return (await this.read(profileId)) !== null;
    } catch (error) {
      if (error instanceof VaultError && (error.code === 'locked' || error.code === 'unavailable')) return false;
      throw error;
    }
  }

  /**
   * Deletes the profile's secret everywhere (deleting a profile deletes its secrets). Throws
   * VaultError('locked') when the keychain copy could not be removed, so the caller does not leave it behind.
   */
  async forget(profileId: string): Promise<boolean> {
    const account = accountFor(profileId);
    const inMemory = await this.memory.delete(account);
    try {
      return (await this.keychain.delete(account)) || inMemory;
    } catch (error) {
      if (error instanceof VaultError && error.code === 'unavailable') return inMemory; // no keychain, no copy
      throw error;
    }
  }

  /** The status, with the reason when the keychain store can give one (KeytarSecretStore.check does). */
  private async explainStatus(): Promise<{ status: KeychainStatus; reason?: string }> {
    const explaining = this.keychain as SecretStore & { check?: () => Promise<{ status: KeychainStatus; reason?: string }> };
    return typeof explaining.check === 'function' ? explaining.check() : { status: await this.keychain.status() };
  }

  /** 'ask' means nothing in the keychain: remove an older copy, but a keychain that cannot do so is no reason to fail. */
  private async dropKeychainCopy(account: string): Promise<void> {
    try {
      await this.keychain.delete(account);
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      if (error.code === 'locked') this.log?.warn(`an older keychain copy of ${account} remains: ${error.message}`);
    }
  }
}

/**
 * Where a profile's second secret is filed: a generic MQTT username that carries a Beebotte token. Profile ids
 * are letters, digits, _ and - (api.ts), so `#` keeps it apart from every profile's own entry. Use it as the
 * profile id of save/read/has/forget: its keychain account is `profile:<id>#username`.
 */
export function usernameSlot(profileId: string): string {
  return `${profileId}#username`;
}

/** The keychain account of a profile: one namespace for profile secrets, apart from anything else we file. */
export function accountFor(profileId: string): string {
  if (typeof profileId !== 'string' || profileId.length === 0 || profileId.length > MAX_PROFILE_ID_LENGTH) {
    throw new VaultError('invalid', `a profile id must be 1–${MAX_PROFILE_ID_LENGTH} characters`);
  }
  return `profile:${profileId}`;
}
