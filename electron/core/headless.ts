/**
 * The core for a one-shot command (the CLI): the data dir's profiles and the keychain, and a profile's connection
 * built as the app builds it — composed here once, as createCore composes the app, so commands do not wire the
 * core's internals themselves.
 */
import path from 'node:path';
import type { SecretStore } from './platform.js';
import { buildSessionConfig } from './profiles/connection.js';
import type { Profile } from './profiles/profile.js';
import { ProfileStore } from './profiles/profile-store.js';
import { usernameOf } from './profiles/secret-username.js';
import type { SessionConfig } from './session/session-config.js';
import { KeytarSecretStore, Vault } from './vault/index.js';

export interface HeadlessOptions {
  dataDir: string;
  /** the keychain; the OS keychain (keytar) unless a test or embedder gives another store */
  secrets?: SecretStore;
  /** where resources/ is (Beebotte's CA for TLS profiles) */
  resourcesDir: string;
}

export interface Headless {
  readonly dataDir: string;
  readonly profiles: ProfileStore;
  /** opened on first use: a command that needs no secret never touches the keychain */
  readonly vault: Vault;
  /** the profile's secret from the keychain; null when there is none (an "ask at connect" profile) */
  secretOf(profile: Profile): Promise<string | null>;
  /** a generic profile's username, which may be a token kept in the keychain */
  usernameOf(profile: Profile): Promise<string | undefined>;
  /** the connection the app would open for this profile; `broker` points a sandbox profile at a running sandbox */
  sessionConfig(profile: Profile, secret: string | null, options?: { broker?: string; username?: string }): SessionConfig;
}

export function openHeadless(options: HeadlessOptions): Headless {
  const profiles = new ProfileStore(path.join(options.dataDir, 'profiles.json'));
  let vault: Vault | undefined;
  const theVault = () => (vault ??= new Vault(options.secrets ?? new KeytarSecretStore()));
  return {
    dataDir: options.dataDir,
    profiles,
    get vault() {
      return theVault();
    },
    secretOf: (profile) => theVault().read(profile.id),
    usernameOf: (profile) => usernameOf(theVault(), profile),
    sessionConfig: (profile, secret, extra = {}) =>
      buildSessionConfig(profile, secret, {
        resourcesDir: options.resourcesDir,
        ...(extra.broker ? { sandbox: { mqtt: extra.broker } } : {}),
        ...(extra.username !== undefined ? { username: extra.username } : {}),
      }),
  };
}
