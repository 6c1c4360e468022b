import type { CoreServices } from '../core.js';
import type { HandlerGroup } from './types.js';

type Methods = 'templates.list' | 'templates.save' | 'templates.remove' | 'composer.history';

export function composerHandlers(s: Pick<CoreServices, 'composer' | 'alerts'>): HandlerGroup<Methods> {
  const changed = () => s.alerts.refreshTray();
  return {
    'templates.list': async () => s.composer.templates(),
    'templates.save': async (input) => {
      const template = s.composer.saveTemplate(input);
      changed(); // quick-publish entries in the tray
      return template;
    },
    'templates.remove': async ({ id }) => {
      const removed = s.composer.removeTemplate(id);
      changed();
      return { removed };
    },
    'composer.history': async ({ limit }) => s.composer.history(limit),
  };
}
