/** vault/ — profile secrets in the OS keychain (keytar), or in session memory for "ask at connect". */
export { Vault, accountFor, usernameSlot, type KeychainStatus, type SecretMode, type VaultOptions } from './vault.js';
export { KeytarSecretStore, type KeychainCheck, type KeytarApi, type KeytarStoreOptions } from './keytar-store.js';
export { MemorySecretStore } from './memory-store.js';
export { VaultError, type VaultErrorCode } from './errors.js';
