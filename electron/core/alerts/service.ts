import type * as Database from '../store/sqlite-types.js';
import type { MessageDTO, SessionState } from '../../api.js';
import type { EventBus } from '../events.js';
import type { IngestObserver } from '../ingest/ingest.js';
import type { Clock, Logger } from '../platform.js';
import { Settings } from '../store/settings.js';
import { AlertEngine } from './engine.js';
import { AlertStore } from './store.js';
import { presenceMessage } from './presence-message.js';
import type { PresenceEventDTO } from '../../api/presence.js';
import { computeTrayModel, pauseUntil, type PauseKind, type TrayModel } from './tray-model.js';
import type { AlertMessage, FiredAlert } from './types.js';

/** JSON bodies above this size are not re-parsed for rules (their envelope data is still used). */
const RULE_PARSE_LIMIT = 64 * 1024;
/** the settings key that keeps a pause across restarts (ms since epoch) */
export const PAUSE_SETTING = 'alerts.pausedUntil';
/** setTimeout's longest delay; a longer pause is re-armed when this one fires */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AlertServiceDeps {
  /** a migrated database (the settings table keeps the pause) */
  db: Database.Database;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  sessions: () => SessionState[];
  profiles: () => { id: string; name: string }[];
  templates: () => { id: string; name: string; topic: string }[];
  /** the profiles enabled connect/disconnect rules watch, each time the rules change (the presence service follows) */
  presenceProfiles?: (profileIds: string[]) => void;
  tickMs?: number;
}

/**
 * Alerts on the ingest path: each message is evaluated once (only when rules are enabled), fired alerts
 * are stored and announced (`alert.fired`, unless notifications are paused) and the tray model follows.
 */
export class AlertService implements IngestObserver {
  readonly store: AlertStore;
  readonly engine: AlertEngine;
  private pending: FiredAlert[] = [];
  private pausedUntil: number | null = null;
  private readonly settings: Settings;
  private readonly timer: NodeJS.Timeout;
  private trayTimer: NodeJS.Timeout | null = null;
  private pauseTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private active = false;

  constructor(private readonly deps: AlertServiceDeps) {
    this.store = new AlertStore(deps.db);
    this.engine = new AlertEngine({ clock: deps.clock });
    this.settings = new Settings(deps.db);
    this.reloadRules();
    this.restorePause();
    this.timer = setInterval(() => {
      const now = deps.clock.now();
      this.endPauseIfDue(now); // also after a sleep that delayed the pause timer
      this.handle(this.engine.tick(now));
    }, deps.tickMs ?? 5000);
    this.timer.unref?.();
    deps.bus.subscribe((event) => {
      if (event === 'session.state' || event === 'profiles.changed') this.queueTray();
    });
  }

  reloadRules(): void {
    const rules = this.store.listRules();
    this.engine.setRules(rules);
    this.active = rules.some((r) => r.enabled && r.condition.kind !== 'presence');
    this.deps.presenceProfiles?.(this.engine.presenceProfiles());
  }

  /** A client connected to or left a watched account: connect/disconnect rules fire now, not at the next batch. */
  observePresence(event: PresenceEventDTO): void {
    this.handle(this.engine.evaluatePresence(presenceMessage(event)));
  }

  observe(message: MessageDTO, payload: Buffer, json?: unknown): void {
    if (!this.active) return;
    const fired = this.engine.evaluate(toAlertMessage(message, payload, json));
    if (fired.length) this.pending.push(...fired);
  }

  flushed(): void {
    if (this.pending.length === 0) return;
    const fired = this.pending;
    this.pending = [];
    this.handle(fired);
  }

  trayModel(): TrayModel {
    const now = this.deps.clock.now();
    return computeTrayModel({
      sessions: this.deps.sessions(),
      profiles: this.deps.profiles(),
      unread: this.store.unreadCount(),
      recentAlerts: this.store.history({ limit: 5 }),
      pausedUntil: this.pausedUntil,
      now,
      templates: this.deps.templates(),
    });
  }

  /** Pauses (or resumes) notifications; the pause survives a restart, and the tray follows when it ends. */
  pause(kind: PauseKind | 'resume'): TrayModel {
    this.setPause(kind === 'resume' ? null : pauseUntil(kind, this.deps.clock.now()));
    const model = this.trayModel();
    this.deps.bus.emit('tray.model', model);
    return model;
  }

  markRead(ids?: string[]): number {
    this.store.markRead(ids ?? 'all');
    this.queueTray();
    return this.store.unreadCount();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    if (this.trayTimer) clearTimeout(this.trayTimer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
  }

  private restorePause(): void {
    const saved = this.settings.get<unknown>(PAUSE_SETTING, null);
    if (typeof saved === 'number' && saved > this.deps.clock.now()) {
      this.pausedUntil = saved;
      this.schedulePauseEnd();
    } else if (saved !== null) this.settings.delete(PAUSE_SETTING);
  }

  private setPause(until: number | null): void {
    this.pausedUntil = until;
    try {
      this.settings.set(PAUSE_SETTING, until ?? undefined);
    } catch (err) {
      this.deps.log.warn(`the pause is not kept across restarts: ${(err as Error).message}`);
    }
    this.schedulePauseEnd();
  }

  /** One timer at the end of the pause, so the tray stops showing "paused" when it ends. */
  private schedulePauseEnd(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    if (this.pausedUntil === null || this.closed) return;
    const delay = Math.min(Math.max(0, this.pausedUntil - this.deps.clock.now()), MAX_TIMER_MS);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = null;
      if (!this.endPauseIfDue(this.deps.clock.now())) this.schedulePauseEnd(); // early by the clock: wait on
    }, delay);
    this.pauseTimer.unref?.();
  }

  /** true when there is no pause any more (it ended now, or there was none). */
  private endPauseIfDue(now: number): boolean {
    if (this.pausedUntil === null) return true;
    if (this.pausedUntil > now) return false;
    this.setPause(null);
    this.queueTray();
    return true;
  }

  private handle(fired: FiredAlert[]): void {
    if (fired.length === 0) return;
    try {
      this.store.addHistory(fired);
    } catch (err) {
      this.deps.log.error(`alert history not stored: ${(err as Error).message}`);
    }
    const paused = this.pausedUntil !== null && this.pausedUntil > this.deps.clock.now();
    if (!paused) for (const alert of fired) this.deps.bus.emit('alert.fired', alert);
    this.queueTray();
  }

  refreshTray(): void {
    this.queueTray();
  }

  /** Many state changes in a burst make one tray update. */
  private queueTray(): void {
    if (this.trayTimer || this.closed) return;
    this.trayTimer = setTimeout(() => {
      this.trayTimer = null;
      if (!this.closed) this.deps.bus.emit('tray.model', this.trayModel());
    }, 50);
    this.trayTimer.unref?.();
  }
}

/**
 * `parsed`: the body ingest already parsed (decode.ts), so the hot path parses each JSON payload once.
 * An unclipped preview is the whole text: no second UTF-8 decode either.
 */
export function toAlertMessage(message: MessageDTO, payload: Buffer, parsed?: unknown): AlertMessage {
  let text: string | null = null;
  let json: unknown = undefined;
  if (message.kind !== 'binary') {
    const small = payload.length <= RULE_PARSE_LIMIT;
    text = small ? (message.clipped ? payload.toString('utf8') : message.preview) : message.preview;
    if (message.kind === 'json') {
      if (small && parsed !== undefined) json = parsed;
      else if (small) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      } else if (message.envelope) json = { ...message.envelope };
    }
  }
  // a plain literal, no conditional spread: this runs for every message while a rule is enabled
  const out: AlertMessage = { profileId: message.profileId, topic: message.topic, receivedAt: message.receivedAt, text, json };
  if (message.id > 0) out.id = message.id;
  return out;
}
