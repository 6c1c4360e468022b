/**
 * The Account screen's state: the chosen profile's channels (REST, through the core), and the outcome of
 * the last action per channel. Tokens are never stored here: copyToken hands one to the clipboard and
 * drops it.
 */
import type { ChannelInfo, KnownDevice, ProfileDTO, RegenerateFailure } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';
import { app } from '../../lib/state.svelte';

// Beebotte's naming rules and value types: the common ones, as the core and the sandbox check them
export { NAME_RULE, VTYPES, nameError } from '../../../../electron/common/beebotte-names';

/** Profiles the account tools can use: Beebotte or sandbox with account credentials (or the built-in sandbox). */
export function accountProfiles(profiles: ProfileDTO[]): ProfileDTO[] {
  return profiles.filter(
    (p) => p.kind !== 'mqtt' && (p.builtIn || p.credentialType === 'secretKey' || p.credentialType === 'iamToken'),
  );
}

export interface ChannelNote {
  kind: 'ok' | 'error';
  text: string;
}

export interface Regenerated {
  channel: string;
  /** profile ids that got the new token and reconnected */
  reconnected: string[];
  /** profiles that used the old token but could not be moved to the new one, with why */
  failed: RegenerateFailure[];
  staleDevices: KnownDevice[];
}

/** The Account screen's sections, in tab order. */
export const ACCOUNT_SECTIONS = [
  { id: 'channels', label: 'Channels' },
  { id: 'tokens', label: 'Tokens' },
  { id: 'connections', label: 'Connections' },
  { id: 'history', label: 'History' },
  { id: 'beerules', label: 'Beerules' },
] as const;
export type AccountSection = (typeof ACCOUNT_SECTIONS)[number]['id'];

class AccountState {
  profileId = $state<string | null>(null);
  section = $state<AccountSection>('channels');
  channels = $state.raw<ChannelInfo[]>([]);
  loading = $state(false);
  error = $state<string | null>(null);
  loadedFor = $state<string | null>(null);
  /** the outcome of the last action on a channel, shown on its card */
  notes = $state<Record<string, ChannelNote>>({});
  regenerated = $state.raw<Regenerated | null>(null);
  /** the resource the History section shows (set by a channel card's History action) */
  historyTarget = $state<{ channel: string; resource: string } | null>(null);

  /** Opens the History section on one resource. */
  openHistory(channel: string, resource: string): void {
    this.historyTarget = { channel, resource };
    this.section = 'history';
  }

  /** Picks a usable profile when none (or a gone one) is chosen. */
  ensureProfile(): void {
    const usable = accountProfiles(app.profiles);
    if (this.profileId && usable.some((p) => p.id === this.profileId)) return;
    this.profileId = usable[0]?.id ?? null;
  }

  async load(): Promise<void> {
    const profileId = this.profileId;
    if (!profileId) return;
    this.loading = true;
    try {
      const channels = await api.call('account.channels', { profileId });
      if (profileId !== this.profileId) return;
      this.channels = channels;
      this.error = null;
    } catch (e) {
      if (profileId === this.profileId) {
        this.channels = [];
        this.error = errorText(e);
      }
    } finally {
      this.loading = false;
      this.loadedFor = profileId;
    }
  }

  private note(channel: string, kind: ChannelNote['kind'], text: string): void {
    this.notes = { ...this.notes, [channel]: { kind, text } };
  }

  private replace(channel: ChannelInfo): void {
    const at = this.channels.findIndex((c) => c.name === channel.name);
    this.channels = at < 0 ? [...this.channels, channel] : this.channels.map((c) => (c.name === channel.name ? channel : c));
  }

  /** Returns an error text for the form, or null when created. */
  async createChannel(channel: {
    name: string;
    label?: string;
    description?: string;
    ispublic: boolean;
    resources: { name: string; vtype: string; sendOnSubscribe: boolean }[];
  }): Promise<string | null> {
    if (!this.profileId) return 'choose a profile first';
    try {
      const created = await api.call('account.createChannel', { profileId: this.profileId, channel });
      this.replace(created);
      this.note(created.name, 'ok', `Created with ${created.resources.length} resource(s).`);
      return null;
    } catch (e) {
      return errorText(e);
    }
  }

  async deleteChannel(name: string): Promise<void> {
    if (!this.profileId) return;
    try {
      await api.call('account.deleteChannel', { profileId: this.profileId, channel: name });
      this.channels = this.channels.filter((c) => c.name !== name);
    } catch (e) {
      this.note(name, 'error', `Not deleted: ${errorText(e)}`);
    }
  }

  async createResource(
    channel: string,
    resource: { name: string; vtype: string; sendOnSubscribe: boolean },
  ): Promise<string | null> {
    if (!this.profileId) return 'choose a profile first';
    try {
      this.replace(await api.call('account.createResource', { profileId: this.profileId, channel, resource }));
      this.note(channel, 'ok', `Resource ${resource.name} created.`);
      return null;
    } catch (e) {
      return errorText(e);
    }
  }

  async deleteResource(channel: string, resource: string): Promise<void> {
    if (!this.profileId) return;
    try {
      await api.call('account.deleteResource', { profileId: this.profileId, channel, resource });
      this.channels = this.channels.map((c) =>
        c.name === channel ? { ...c, resources: c.resources.filter((r) => r.name !== resource) } : c,
      );
      this.note(channel, 'ok', `Resource ${resource} deleted.`);
    } catch (e) {
      this.note(channel, 'error', `Resource ${resource} not deleted: ${errorText(e)}`);
    }
  }

  /** Electron copies in the main process; a browser gets the token once and writes it to the clipboard. */
  async copyToken(channel: string): Promise<void> {
    if (!this.profileId) return;
    try {
      const result = await api.call('account.copyToken', { profileId: this.profileId, channel });
      if (!result.copied) {
        if (!result.token) throw new Error('the core returned no token');
        await navigator.clipboard.writeText(result.token);
      }
      this.note(channel, 'ok', 'Token copied to the clipboard.');
    } catch (e) {
      this.note(channel, 'error', `Token not copied: ${errorText(e)}`);
    }
  }

  async regenerateToken(channel: string): Promise<void> {
    if (!this.profileId) return;
    try {
      const result = await api.call('account.regenerateToken', { profileId: this.profileId, channel });
      this.regenerated = {
        channel,
        reconnected: result.reconnectedProfiles,
        failed: result.failedProfiles,
        staleDevices: result.staleDevices,
      };
      const failed = result.failedProfiles.length;
      this.note(
        channel,
        failed ? 'error' : 'ok',
        failed
          ? `New token issued, but ${failed === 1 ? 'one profile was' : `${failed} profiles were`} not moved to it: see below.`
          : 'New token issued; the old one no longer connects.',
      );
    } catch (e) {
      this.note(channel, 'error', `Token not regenerated: ${errorText(e)}`);
    }
  }
}

export const account = new AccountState();
