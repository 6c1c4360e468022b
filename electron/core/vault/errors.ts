/** Why a secret could not be stored or read. Messages tell the user what to do and never carry a secret. */
import { redactSecrets } from '../../common/redact.js';

export type VaultErrorCode = 'locked' | 'unavailable' | 'invalid' | 'failed';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const LOCKED_MESSAGE = "the keychain is locked: unlock it (e.g. log in again) or choose 'ask at connect' for this profile";

export function lockedError(doing?: string): VaultError {
  return new VaultError('locked', doing ? `could not ${doing}: ${LOCKED_MESSAGE}` : LOCKED_MESSAGE);
}

export function unavailableError(reason: string, doing?: string): VaultError {
  const what = `no usable keychain (${reason}): start a Secret Service such as gnome-keyring, or choose 'ask at connect' for this profile`;
  return new VaultError('unavailable', doing ? `could not ${doing}: ${what}` : what);
}

/** Removes every occurrence of the secret from a message we did not write (e.g. a native error). */
export function redact(message: string, secret?: string): string {
  return redactSecrets(message, [secret]);
}
