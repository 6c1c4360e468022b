import type { EventBus } from '../events.js';
import { ConsoleSessions } from '../devices/console-sessions.js';
import type { HandlerGroup } from './types.js';

type Methods = 'console.open' | 'console.send' | 'console.set' | 'console.log' | 'console.close';

/** One set of consoles per bus (per core): a module-level map would be shared by every core in a process. */
const perBus = new WeakMap<EventBus, ConsoleSessions>();

/** The serial console (core/devices/console-sessions.ts): one-line adapters. */
export function consoleHandlers(s: { bus: EventBus }): HandlerGroup<Methods> {
  let consoles = perBus.get(s.bus);
  if (!consoles) perBus.set(s.bus, (consoles = new ConsoleSessions(s.bus)));
  const c = consoles;
  return {
    'console.open': async (p) => c.start(p),
    'console.send': async ({ consoleId, line, hex }) => c.send(consoleId, { ...(line !== undefined ? { line } : {}), ...(hex !== undefined ? { hex } : {}) }),
    'console.set': async ({ consoleId, ...p }) => c.set(consoleId, p),
    'console.log': async ({ consoleId }) => c.log(consoleId),
    'console.close': async ({ consoleId }) => ({ closed: await c.close(consoleId) }),
  };
}
