/**
 * A generic MQTT username that carries a Beebotte token (a standalone sandbox, another Beebotte-compatible
 * server) is a secret: it lives in the vault beside the password (usernameSlot), by the profile's secretMode,
 * and the profile keeps only `usernameIsSecret: true`. Never in profiles.json, a DTO, a log or an error.
 */
import { ApiError, type ProfileDTO, type ProfileInput } from '../../api.js';
import type { Logger } from '../platform.js';
import { redact } from '../vault/errors.js';
import { usernameSlot, type Vault } from '../vault/index.js';
import type { ProfileStore } from './profile-store.js';
import { carriesBeebotteToken, type Profile } from './profile.js';

/** What saving a profile does in the vault to its secret username. */
export type UsernameChange = { kind: 'store'; username: string } | { kind: 'move' } | { kind: 'forget' } | { kind: 'none' };

/**
 * Takes a token username out of a normalized profile. A blank username keeps the secret one an edited profile
 * had (unless `forgetUsername`); a plain one replaces it, and so does another kind of profile.
 */
export function planUsername(
  normalized: Profile,
  input: Pick<ProfileInput, 'username' | 'forgetUsername'>,
  previous?: Profile,
): { profile: Profile; change: UsernameChange } {
  const { username, usernameIsSecret: _flag, ...profile } = normalized;
  const hadSecret = previous?.usernameIsSecret === true;
  const dropOld: UsernameChange = hadSecret ? { kind: 'forget' } : { kind: 'none' };
  if (profile.kind !== 'mqtt') return { profile, change: dropOld };
  if (username && carriesBeebotteToken(username)) {
    return { profile: { ...profile, usernameIsSecret: true }, change: { kind: 'store', username } };
  }
  if (username) return { profile: { ...profile, username }, change: dropOld };
  if (hadSecret && !input.forgetUsername) {
    // kept as it is, unless the profile's secret mode changed: then it moves with the password
    const moved = previous.secretMode !== profile.secretMode;
    return { profile: { ...profile, usernameIsSecret: true }, change: moved ? { kind: 'move' } : { kind: 'none' } };
  }
  return { profile, change: dropOld };
}

/** Carries out a planUsername change; before the profile is written, as the password is. */
export async function applyUsername(vault: Vault, profile: Profile, change: UsernameChange): Promise<void> {
  if (change.kind === 'store') await vault.save(usernameSlot(profile.id), change.username, profile.secretMode);
  else if (change.kind === 'forget') await vault.forget(usernameSlot(profile.id));
  else if (change.kind === 'move') {
    // Vault.save in the new mode drops the other copy (keychain → memory, or memory → keychain)
    const username = await vault.read(usernameSlot(profile.id));
    if (username) await vault.save(usernameSlot(profile.id), username, profile.secretMode);
  }
}

/**
 * The username a generic profile connects with: its plain one, or the one in the vault. Throws an error that
 * says what to do (and never the value) when a secret username is not held — an 'ask at connect' one lasts
 * one run, a keychain one may have been removed by hand.
 */
export async function usernameOf(vault: Vault, profile: Profile): Promise<string | undefined> {
  if (profile.kind !== 'mqtt') return undefined;
  if (!profile.usernameIsSecret) return profile.username || undefined;
  const username = await vault.read(usernameSlot(profile.id));
  if (username) return username;
  const where =
    profile.secretMode === 'ask' ? "'ask at connect' keeps it for one run of Apiary only" : 'it is not in the keychain';
  throw new ApiError(
    'invalid_params',
    `${profile.name}: its username (a Beebotte token) is not stored — ${where}: enter it again in the profile`,
  );
}

/** What a UI (or `apiary profiles show`) may learn about a profile: whether secrets are held, never one. */
export async function toProfileDTO(vault: Vault, profile: Profile): Promise<ProfileDTO> {
  const dto: ProfileDTO = { ...profile, hasSecret: await vault.has(profile.id) };
  if (profile.usernameIsSecret) dto.usernameStored = await vault.has(usernameSlot(profile.id));
  if (dto.username && carriesBeebotteToken(dto.username)) {
    // a profiles.json an older version wrote, not migrated yet: still never shown
    delete dto.username;
    dto.usernameIsSecret = true;
    dto.usernameStored = false;
  }
  return dto;
}

/**
 * An older version wrote token usernames to profiles.json: each moves into the OS keychain and out of the
 * file. The keychain, whatever the profile's secretMode: the file kept it across runs, so must its new place
 * ('ask at connect' memory would lose it when this process ends — at once, for the CLI). Only once the
 * keychain holds it does it leave the file; a locked or missing keychain leaves it there, with a warning that
 * names the profile (never the value), and the next start tries again.
 */
export async function migrateTokenUsernames(
  store: ProfileStore,
  vault: Vault,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<number> {
  let moved = 0;
  for (const legacy of store.list()) {
    if (legacy.builtIn || legacy.kind !== 'mqtt' || !legacy.username || !carriesBeebotteToken(legacy.username)) continue;
    const { username, ...profile } = legacy;
    try {
      await vault.save(usernameSlot(profile.id), username, 'keychain');
      log.info(`profile ${profile.name}: its username (a Beebotte token) moved from profiles.json to the keychain`);
    } catch (err) {
      const why = redact(err instanceof Error ? err.message : String(err), username);
      log.warn(
        `profile ${profile.name}: its username is a Beebotte token still in plain profiles.json: it moves to the keychain once the keychain opens (${why})`,
      );
      continue;
    }
    try {
      store.put({ ...profile, usernameIsSecret: true });
      moved++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      log.warn(
        `profile ${profile.name}: profiles.json could not be rewritten without its token username (${code}): it leaves the file at the next save`,
      );
    }
  }
  return moved;
}
