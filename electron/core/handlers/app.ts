import type { AppInfo } from '../../api.js';
import type { HandlerGroup } from './types.js';

export function appHandlers(info: () => Promise<AppInfo>): HandlerGroup<'app.info'> {
  return { 'app.info': () => info() };
}
