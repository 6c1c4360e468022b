/**
 * The Tokens section's state: the chosen profile's IAM tokens (never their values), whether it may manage
 * them, and the last created token, offered for one copy. A value is fetched only when the user copies it,
 * written to the clipboard and dropped (in Electron the main process writes the clipboard itself).
 */
import type { IamTokenDTO, ParamsOf } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';

export type TokenRule = ParamsOf<'iam.create'>['acl'][number];

class TokensState {
  profileId = $state<string | null>(null);
  tokens = $state.raw<IamTokenDTO[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  /** null while unknown; false with why */
  canManage = $state<boolean | null>(null);
  whyNot = $state<string | null>(null);
  /** the token just created: offered for one copy */
  created = $state.raw<IamTokenDTO | null>(null);
  copied = $state(false);
  note = $state<{ kind: 'ok' | 'error'; text: string } | null>(null);

  async load(profileId: string): Promise<void> {
    if (this.profileId !== profileId) {
      this.profileId = profileId;
      this.tokens = [];
      this.created = null;
      this.note = null;
      this.canManage = null;
    }
    this.loading = true;
    try {
      const cap = await api.call('iam.capability', { profileId });
      if (profileId !== this.profileId) return;
      this.canManage = cap.canManage;
      this.whyNot = cap.reason ?? null;
      this.tokens = cap.canManage ? await api.call('iam.list', { profileId }) : [];
      this.error = null;
    } catch (e) {
      if (profileId === this.profileId) this.error = errorText(e);
    } finally {
      this.loading = false;
    }
  }

  /** Returns an error text for the form, or null when created. */
  async create(spec: { name: string; description?: string; acl: TokenRule[] }): Promise<string | null> {
    const profileId = this.profileId;
    if (!profileId) return 'choose a profile first';
    try {
      const made = await api.call('iam.create', { profileId, ...spec });
      this.created = made;
      this.copied = false;
      this.tokens = [...this.tokens, made];
      this.note = null;
      return null;
    } catch (e) {
      return errorText(e);
    }
  }

  /** The one moment a value leaves the core: the user asked to copy the token just created. */
  async copyCreated(): Promise<void> {
    const made = this.created;
    if (!made || !this.profileId || this.copied) return;
    try {
      const result = await api.call('iam.copy', { profileId: this.profileId, tokenId: made.id });
      if (!result.copied) {
        if (!result.token) throw new Error('the core returned no token');
        await navigator.clipboard.writeText(result.token);
      }
      this.copied = true;
      this.note = { kind: 'ok', text: `${made.name} copied to the clipboard.` };
    } catch (e) {
      this.note = { kind: 'error', text: `Not copied: ${errorText(e)}` };
    }
  }

  async revoke(token: IamTokenDTO): Promise<void> {
    if (!this.profileId) return;
    try {
      const result = await api.call('iam.revoke', { profileId: this.profileId, tokenId: token.id });
      this.tokens = this.tokens.filter((t) => t.id !== token.id);
      if (this.created?.id === token.id) this.created = null;
      const held = result.devices.map((d) => d.name).join(', ');
      this.note = { kind: 'ok', text: `${token.name} revoked${held ? `: ${held} can no longer connect` : ''}.` };
    } catch (e) {
      this.note = { kind: 'error', text: `${token.name} not revoked: ${errorText(e)}` };
    }
  }
}

export const tokens = new TokensState();
