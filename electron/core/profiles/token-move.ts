import type { RegenerateFailure } from '../../api.js';
import { beebotteUsername } from '../beebotte/credentials.js';
import { redact } from '../vault/errors.js';
import { usernameSlot, type Vault } from '../vault/index.js';
import type { Profile } from './profile.js';

export interface TokenMove {
  /** the profiles that now hold the new token */
  moved: Profile[];
  /** ids of every profile that held the old token, moved or not */
  heldOldToken: Set<string>;
  /** the ones that could not be moved (or reconnected), and why — never a token in it */
  failed: RegenerateFailure[];
}

/**
 * After a channel token is regenerated, every saved profile that held the old one gets the new one in the
 * vault: a channel-token profile as its credential, a generic MQTT profile as its secret username. Each on its
 * own, so one that fails (a locked keychain…) is reported and the others still move. Shared by the app
 * (account.regenerateToken, which reconnects the live ones in `after`) and `apiary token regenerate`.
 */
export async function moveProfilesToNewToken(
  profiles: Profile[],
  vault: Vault,
  oldToken: string | undefined,
  newToken: string,
  after?: { failing: string; run: (profile: Profile) => Promise<void> },
): Promise<TokenMove> {
  const result: TokenMove = { moved: [], heldOldToken: new Set(), failed: [] };
  if (!oldToken) return result;
  for (const profile of profiles) {
    const slot = holderSlot(profile);
    if (!slot) continue;
    let step = 'could not read its token to check it';
    try {
      const held = await vault.read(slot);
      if (!held || bare(held) !== bare(oldToken)) continue;
      result.heldOldToken.add(profile.id);
      step = 'still holds the old token: storing the new one failed';
      const next = profile.kind === 'mqtt' ? beebotteUsername('channelToken', newToken) : newToken;
      await vault.save(slot, next, profile.builtIn ? 'ask' : profile.secretMode);
      if (after) {
        step = after.failing;
        await after.run(profile);
      }
      result.moved.push(profile);
    } catch (err) {
      const why = redact(redact(err instanceof Error ? err.message : String(err), newToken), oldToken);
      result.failed.push({ profileId: profile.id, name: profile.name, reason: `${step} (${why})` });
    }
  }
  return result;
}

/** Where a profile keeps a channel token, if it can hold one. */
function holderSlot(profile: Profile): string | null {
  if (profile.kind === 'mqtt') return profile.usernameIsSecret ? usernameSlot(profile.id) : null;
  return (profile.credentialType ?? 'channelToken') === 'channelToken' ? profile.id : null;
}

function bare(token: string): string {
  return token.startsWith('token:') ? token.slice(6) : token;
}
