/**
 * The Beerules section's state, per profile: the account's rules (through the core's `beerules.*` calls) and
 * the outcome of the last action on each, in words. Beerules run in the cloud (or the sandbox): nothing here
 * runs them, it only manages them.
 */
import type { BeeruleDTO, BeeruleRunDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';

export interface RuleNote {
  kind: 'ok' | 'error';
  text: string;
}

/** What the create form sends (the contract checks it again). */
export interface BeeruleDraft {
  name: string;
  description?: string;
  trigger: { event: (typeof TRIGGER_EVENTS)[number]; channel: string; resource: string };
  condition?: string;
  action: { type: 'publish' | 'write'; channel: string; resource: string; value?: string };
}

export const TRIGGER_EVENTS = ['write', 'publish', 'connect', 'disconnect', 'subscribe', 'unsubscribe', 'join', 'leave'] as const;

/** A run's outcome in words. */
export function runText(run: BeeruleRunDTO): string {
  const action = run.action as { type?: string; channel?: string; resource?: string; data?: unknown } | undefined;
  switch (run.outcome) {
    case 'done':
      return action?.channel
        ? `ran: ${action.type} ${action.channel}.${action.resource} = ${JSON.stringify(action.data)}`
        : 'ran';
    case 'condition-false':
      return 'did not run: the condition was false';
    case 'recorded':
      return `recorded (the sandbox does not send ${action?.type ?? 'this action'})`;
    case 'chain-limit':
      return 'not run: too many chained rule actions (a rule that triggers itself?)';
    case 'failed':
      return `failed: ${run.error ?? 'no reason given'}`;
    default:
      return run.outcome;
  }
}

export class BeerulesState {
  rules = $state.raw<BeeruleDTO[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state<string | null>(null);
  notes = $state<Record<string, RuleNote>>({});
  busy = $state<Record<string, boolean>>({});

  constructor(readonly profileId: string) {}

  async load(): Promise<void> {
    this.loading = true;
    try {
      this.rules = await api.call('beerules.list', { profileId: this.profileId });
      this.error = null;
    } catch (e) {
      this.rules = [];
      this.error = errorText(e);
    } finally {
      this.loading = false;
      this.loaded = true;
    }
  }

  /** Returns an error text for the form, or null when saved. */
  async create(draft: BeeruleDraft): Promise<string | null> {
    try {
      const rule = await api.call('beerules.save', { profileId: this.profileId, ...draft });
      this.rules = [...this.rules, rule];
      this.note(rule.id, 'ok', 'Created and enabled.');
      return null;
    } catch (e) {
      return errorText(e);
    }
  }

  async setEnabled(rule: BeeruleDTO, enabled: boolean): Promise<void> {
    await this.work(
      rule.id,
      async () => {
        const updated = await api.call('beerules.setEnabled', { profileId: this.profileId, ruleId: rule.id, enabled });
        this.rules = this.rules.map((r) => (r.id === rule.id ? updated : r));
        this.note(rule.id, 'ok', enabled ? 'Enabled: it runs on its trigger again.' : 'Disabled: it no longer runs.');
      },
      enabled ? 'Not enabled' : 'Not disabled',
    );
  }

  async invoke(rule: BeeruleDTO, channel: string, resource: string, data: unknown): Promise<void> {
    await this.work(
      rule.id,
      async () => {
        const { run } = await api.call('beerules.invoke', {
          profileId: this.profileId,
          ruleId: rule.id,
          channel,
          resource,
          data,
        });
        this.note(
          rule.id,
          run && (run.outcome === 'failed' || run.outcome === 'chain-limit') ? 'error' : 'ok',
          `Invoked: ${run ? runText(run) : 'the server accepted it'}.`,
        );
      },
      'Not invoked',
    );
  }

  async remove(rule: BeeruleDTO): Promise<void> {
    await this.work(
      rule.id,
      async () => {
        await api.call('beerules.remove', { profileId: this.profileId, ruleId: rule.id });
        this.rules = this.rules.filter((r) => r.id !== rule.id);
      },
      'Not deleted',
    );
  }

  /** The rule's latest runs, or null when the server keeps none (the cloud). */
  async runs(rule: BeeruleDTO): Promise<BeeruleRunDTO[] | null> {
    try {
      return await api.call('beerules.runs', { profileId: this.profileId, ruleId: rule.id });
    } catch (e) {
      this.note(rule.id, 'error', `Runs not read: ${errorText(e)}`);
      return null;
    }
  }

  private async work(id: string, body: () => Promise<void>, failed: string): Promise<void> {
    this.busy = { ...this.busy, [id]: true };
    try {
      await body();
    } catch (e) {
      this.note(id, 'error', `${failed}: ${errorText(e)}`);
    } finally {
      this.busy = { ...this.busy, [id]: false };
    }
  }

  private note(id: string, kind: RuleNote['kind'], text: string): void {
    this.notes = { ...this.notes, [id]: { kind, text } };
  }
}
