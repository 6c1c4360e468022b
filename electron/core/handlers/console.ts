import type { CoreServices } from '../core.js';
import type { HandlerGroup } from './types.js';

type Methods = 'console.open' | 'console.send' | 'console.set' | 'console.log' | 'console.close';

/** The serial console (core/devices/console-sessions.ts): one-line adapters. */
export function consoleHandlers(s: Pick<CoreServices, 'consoles'>): HandlerGroup<Methods> {
  const c = s.consoles;
  return {
    'console.open': async (p) => c.start(p),
    'console.send': async ({ consoleId, line, hex }) => c.send(consoleId, { ...(line !== undefined ? { line } : {}), ...(hex !== undefined ? { hex } : {}) }),
    'console.set': async ({ consoleId, ...p }) => c.set(consoleId, p),
    'console.log': async ({ consoleId }) => c.log(consoleId),
    'console.close': async ({ consoleId }) => ({ closed: await c.close(consoleId) }),
  };
}
