import type { AppSettings } from '../../api.js';
import type { CoreServices } from '../core.js';
import type { HandlerGroup } from './types.js';

export const DEFAULT_SETTINGS: AppSettings = {
  closeToTray: true,
  launchAtLogin: false,
  notificationsPerMinute: 5,
  logMaxMessages: 1_000_000,
  logMaxMegabytes: 512,
};

export function readSettings(s: Pick<CoreServices, 'settings'>): AppSettings {
  return { ...DEFAULT_SETTINGS, ...s.settings.get<Partial<AppSettings>>('app', {}) };
}

/** Applies the settings the core owns (log budget, notification flood limit). Shells apply the rest. */
export function applySettings(s: Pick<CoreServices, 'log' | 'alerts'>, settings: AppSettings): void {
  s.log.setBudget({ maxMessages: settings.logMaxMessages, maxBytes: settings.logMaxMegabytes * 1024 * 1024 });
  s.alerts.engine.setMaxPerMinute(settings.notificationsPerMinute);
}

export function settingsHandlers(s: Pick<CoreServices, 'settings' | 'log' | 'alerts' | 'bus'>): HandlerGroup<'settings.get' | 'settings.save'> {
  return {
    'settings.get': async () => readSettings(s),
    'settings.save': async (input) => {
      const next = { ...readSettings(s), ...input };
      s.settings.set('app', next);
      applySettings(s, next);
      s.bus.emit('settings.changed', next);
      return next;
    },
  };
}
