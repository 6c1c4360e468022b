import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { SecretStore } from '../platform.js';
import { lockedError, redact, unavailableError, VaultError } from './errors.js';
import type { KeychainStatus } from './vault.js';

/** What status() found, with a reason a user can read when it is not 'ok'. */
export interface KeychainCheck {
  status: KeychainStatus;
  reason?: string;
}

/**
 * The part of keytar we use. Not findCredentials: with gnome-keyring it crashes the whole process
 * (a NULL secret in libsecret) when the collection is locked.
 */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

export interface KeytarStoreOptions {
  /** the keychain "service" every Apiary secret is filed under */
  service?: string;
  /** how long a status() answer is reused before probing again */
  statusTtlMs?: number;
  /** a probe that takes longer (e.g. an unlock prompt nobody answers) counts as 'locked' */
  probeTimeoutMs?: number;
  now?: () => number;
  /** loads keytar; the default requires the native module lazily, so a missing libsecret is a status, not a crash */
  loadKeytar?: () => KeytarApi;
}

const MAX_ACCOUNT_LENGTH = 256;

/** Errors that mean "there is a keychain, but it will not open": gnome-keyring, macOS, prompts dismissed. */
const LOCKED_PATTERN = /locked|interaction is not allowed|user cancel|dismissed/i;

function loadNativeKeytar(): KeytarApi {
  return createRequire(import.meta.url)('keytar') as KeytarApi;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Secrets in the OS keychain through keytar (libsecret on Linux, Keychain on macOS, Credential Vault on Windows). */
export class KeytarSecretStore implements SecretStore {
  private readonly service: string;
  private readonly ttlMs: number;
  private readonly probeTimeoutMs: number;
  private readonly now: () => number;
  private readonly load: () => KeytarApi;
  private keytar: KeytarApi | null = null;
  private loadFailure: string | null = null;
  private cached: { check: KeychainCheck; at: number } | null = null;
  private probing: Promise<KeychainCheck> | null = null;

  constructor(options: KeytarStoreOptions = {}) {
    this.service = options.service ?? 'Apiary';
    this.ttlMs = options.statusTtlMs ?? 5_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 10_000;
    this.now = options.now ?? Date.now;
    this.load = options.loadKeytar ?? loadNativeKeytar;
  }

  async status(): Promise<KeychainStatus> {
    return (await this.check()).status;
  }

  /** Probes the keychain for real (write, read back, delete a random canary); cached for a few seconds. */
  async check(options: { fresh?: boolean } = {}): Promise<KeychainCheck> {
    if (!options.fresh && this.cached && this.now() - this.cached.at < this.ttlMs) return this.cached.check;
    this.probing ??= this.probe().finally(() => {
      this.probing = null;
    });
    return this.probing;
  }

  async get(account: string): Promise<string | null> {
    const keytar = this.api('read the secret');
    checkAccount(account);
    let secret: string | null;
    try {
      secret = await keytar.getPassword(this.service, account);
    } catch (error) {
      throw await this.failure(error, 'read the secret');
    }
    if (secret !== null) return secret;
    // A locked gnome-keyring answers "nothing" instead of an error: tell the two apart.
    const check = await this.check();
    if (check.status === 'locked') throw lockedError('read the secret');
    if (check.status === 'unavailable') throw unavailableError(check.reason ?? 'unknown', 'read the secret');
    return null;
  }

  async set(account: string, secret: string): Promise<void> {
    const keytar = this.api('store the secret');
    checkAccount(account);
    if (typeof secret !== 'string' || secret.length === 0) throw new VaultError('invalid', 'a secret must be a non-empty string');
    try {
      await keytar.setPassword(this.service, account, secret);
    } catch (error) {
      throw await this.failure(error, 'store the secret', secret);
    }
    this.remember({ status: 'ok' });
  }

  async delete(account: string): Promise<boolean> {
    const keytar = this.api('delete the secret');
    checkAccount(account);
    let deleted: boolean;
    try {
      deleted = await keytar.deletePassword(this.service, account);
    } catch (error) {
      throw await this.failure(error, 'delete the secret');
    }
    if (deleted) return true;
    // Like a read, a delete on a locked keyring quietly finds nothing; the secret would survive.
    const check = await this.check();
    if (check.status === 'locked') throw lockedError('delete the secret');
    return false;
  }

  private api(doing: string): KeytarApi {
    const keytar = this.tryLoad();
    if (!keytar) throw unavailableError(this.loadFailure ?? 'keytar did not load', doing);
    return keytar;
  }

  private tryLoad(): KeytarApi | null {
    if (this.keytar || this.loadFailure) return this.keytar;
    try {
      this.keytar = this.load();
    } catch (error) {
      this.loadFailure = `the keytar native module could not be loaded: ${messageOf(error)}`;
    }
    return this.keytar;
  }

  /** Turns a keytar exception into a VaultError, refreshing the cached status on the way. */
  private async failure(error: unknown, doing: string, secret?: string): Promise<VaultError> {
    const reason = redact(messageOf(error), secret);
    const check = classify(reason);
    this.remember(check);
    if (check.status === 'locked') return lockedError(doing);
    if (check.status === 'unavailable') {
      // Only a probe can tell "no keychain" from "this one call failed".
      const fresh = await this.check({ fresh: true });
      if (fresh.status === 'locked') return lockedError(doing);
      if (fresh.status === 'unavailable') return unavailableError(fresh.reason ?? reason, doing);
    }
    return new VaultError('failed', `could not ${doing}: the keychain refused (${reason})`);
  }

  private remember(check: KeychainCheck): void {
    this.cached = { check, at: this.now() };
  }

  private async probe(): Promise<KeychainCheck> {
    const keytar = this.tryLoad();
    if (!keytar) return this.rememberAndReturn({ status: 'unavailable', reason: this.loadFailure ?? 'keytar did not load' });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<KeychainCheck>((resolve) => {
      timer = setTimeout(
        () =>
          resolve({
            status: 'locked',
            reason: `the keychain did not answer within ${this.probeTimeoutMs} ms (waiting for an unlock prompt?)`,
          }),
        this.probeTimeoutMs,
      );
      timer.unref();
    });
    try {
      return this.rememberAndReturn(await Promise.race([this.canaryRoundTrip(keytar), timeout]));
    } finally {
      clearTimeout(timer);
    }
  }

  private async canaryRoundTrip(keytar: KeytarApi): Promise<KeychainCheck> {
    const account = `apiary-canary:${randomBytes(8).toString('hex')}`;
    const canary = randomBytes(16).toString('hex');
    try {
      await keytar.setPassword(this.service, account, canary);
    } catch (error) {
      return classify(redact(messageOf(error), canary));
    }
    try {
      const readBack = await keytar.getPassword(this.service, account);
      if (readBack === canary) return { status: 'ok' };
      return { status: 'locked', reason: 'the keychain accepted a secret but did not give it back (locked?)' };
    } catch (error) {
      return classify(redact(messageOf(error), canary));
    } finally {
      await keytar.deletePassword(this.service, account).catch(() => false);
    }
  }

  private rememberAndReturn(check: KeychainCheck): KeychainCheck {
    this.remember(check);
    return check;
  }
}

/** Any error that is not about locking means the keychain cannot be reached (no D-Bus, no Secret Service…). */
function classify(reason: string): KeychainCheck {
  return { status: LOCKED_PATTERN.test(reason) ? 'locked' : 'unavailable', reason };
}

function checkAccount(account: string): void {
  if (typeof account !== 'string' || account.length === 0 || account.length > MAX_ACCOUNT_LENGTH) {
    throw new VaultError('invalid', `a keychain account name must be 1–${MAX_ACCOUNT_LENGTH} characters`);
  }
}
