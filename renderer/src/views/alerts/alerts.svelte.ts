/**
 * The Alerts screen's state: rules, the history of fired alerts (live from alert.fired), and the message
 * an alert points at (opened inline here, and handed to the log's selection).
 */
import type { FiredAlert, FullMessageDTO, Rule, StoredAlert } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';
import { app, log } from '../../lib/state.svelte';
import { startNotifications } from '../../lib/notify';

const HISTORY = 200;

class AlertsState {
  rules = $state.raw<Rule[]>([]);
  history = $state.raw<StoredAlert[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** the alert whose message is shown */
  openAlert = $state.raw<FiredAlert | null>(null);
  openMessage = $state.raw<FullMessageDTO | null>(null);
  openError = $state<string | null>(null);
  /** what the right-hand panel shows */
  panel = $state<'help' | 'editor' | 'message'>('help');
  /** the rule being edited (null = a new rule) */
  editingId = $state<string | null>(null);
  editorKey = $state(0);

  private subscribed = false;

  /** Live history; safe to call many times. */
  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    api.on('alert.fired', (alert) => {
      this.history = [{ ...alert, read: false }, ...this.history.filter((a) => a.id !== alert.id)].slice(0, HISTORY);
    });
  }

  async load(): Promise<void> {
    this.subscribe();
    try {
      const [rules, history] = await Promise.all([api.call('alerts.rules', {}), api.call('alerts.history', { limit: HISTORY })]);
      this.rules = rules;
      this.history = history;
      this.error = null;
    } catch (e) {
      this.error = errorText(e);
    }
    this.loaded = true;
  }

  /** Unread alerts: the tray model is the truth (it counts the whole history); the list is the fallback. */
  get unread(): number {
    return app.tray?.unread ?? this.history.filter((a) => !a.read).length;
  }

  newRule(): void {
    this.editingId = null;
    this.editorKey++;
    this.panel = 'editor';
  }

  edit(rule: Rule): void {
    this.editingId = rule.id;
    this.editorKey++;
    this.panel = 'editor';
  }

  closePanel(): void {
    this.panel = 'help';
    this.editingId = null;
  }

  saved(rule: Rule): void {
    const others = this.rules.filter((r) => r.id !== rule.id);
    const at = this.rules.findIndex((r) => r.id === rule.id);
    this.rules = at < 0 ? [...others, rule] : this.rules.map((r) => (r.id === rule.id ? rule : r));
    this.editingId = rule.id;
  }

  async setEnabled(rule: Rule, enabled: boolean): Promise<void> {
    try {
      this.saved(await api.call('alerts.saveRule', { rule: { ...rule, enabled } }));
      this.error = null;
    } catch (e) {
      this.error = `${rule.name} was not ${enabled ? 'enabled' : 'disabled'}: ${errorText(e)}`;
    }
  }

  async remove(rule: Rule): Promise<void> {
    try {
      await api.call('alerts.removeRule', { id: rule.id });
      this.rules = this.rules.filter((r) => r.id !== rule.id);
      if (this.editingId === rule.id) this.closePanel();
      this.error = null;
    } catch (e) {
      this.error = `${rule.name} was not deleted: ${errorText(e)}`;
    }
  }

  async markAllRead(): Promise<void> {
    try {
      await api.call('alerts.markRead', {});
      this.history = this.history.map((a) => (a.read ? a : { ...a, read: true }));
    } catch (e) {
      this.error = errorText(e);
    }
  }

  /** Shows the message behind an alert (from the history, a toast or a desktop notification). */
  async open(alert: FiredAlert): Promise<void> {
    app.tab = 'alerts';
    this.openAlert = alert;
    this.openMessage = null;
    this.openError = null;
    this.panel = 'message';
    this.history = this.history.map((a) => (a.id === alert.id && !a.read ? { ...a, read: true } : a));
    void api.call('alerts.markRead', { ids: [alert.id] }).catch(() => undefined);
    if (alert.messageId === undefined) {
      this.openError = alert.summary
        ? `this alert stands for ${alert.summary.count} alerts that were held back by flood control on ${alert.summary.filter}: see the log for them`
        : 'this alert has no message (a silence alert: nothing arrived on its topics)';
      return;
    }
    try {
      const message = await api.call('messages.get', { id: alert.messageId });
      if (this.openAlert?.id !== alert.id) return;
      this.openMessage = message;
      log.select(message);
    } catch (e) {
      if (this.openAlert?.id === alert.id) {
        this.openError = `the message is no longer in the store (${errorText(e)}): older messages are trimmed by the log's retention budget`;
      }
    }
  }

  /** A test hit or any stored message by id. */
  async openMessageId(id: number, alert: FiredAlert): Promise<void> {
    this.openAlert = alert;
    this.openMessage = null;
    this.openError = null;
    this.panel = 'message';
    try {
      this.openMessage = await api.call('messages.get', { id });
    } catch (e) {
      this.openError = errorText(e);
    }
  }
}

export const alerts = new AlertsState();

/** Starts browser notifications with clicks leading to the message; what App mounts calls this. */
export function startAlertNotifications(): void {
  alerts.subscribe();
  startNotifications((alert) => void alerts.open(alert));
}
