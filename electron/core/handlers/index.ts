import type { AppInfo } from '../../api.js';
import type { CoreServices } from '../core.js';
import { accountHandlers } from './account.js';
import { alertHandlers } from './alerts.js';
import { appHandlers } from './app.js';
import { beebotteHandlers } from './beebotte.js';
import { beeruleHandlers } from './beerules.js';
import { codecHandlers } from './codecs.js';
import { composerHandlers } from './composer.js';
import { consoleHandlers } from './console.js';
import { deviceHandlers } from './devices.js';
import { explorerHandlers } from './explorer.js';
import { flashHandlers } from './flash.js';
import { historyHandlers } from './history.js';
import { iamHandlers } from './iam.js';
import { messageHandlers } from './messages.js';
import { mqtt5Handlers } from './mqtt5.js';
import { outboxHandlers } from './outbox.js';
import { presenceHandlers } from './presence.js';
import { profileHandlers } from './profiles.js';
import { sessionHandlers } from './sessions.js';
import { settingsHandlers } from './settings.js';
import type { Handlers } from './types.js';

/** Every contract method, one handler each (the type makes a missing one a compile error). */
export function createHandlers(s: CoreServices, info: () => Promise<AppInfo>): Handlers {
  return {
    ...appHandlers(info),
    ...profileHandlers(s),
    ...sessionHandlers(s),
    ...messageHandlers(s),
    ...explorerHandlers(s),
    ...beebotteHandlers(s),
    ...beeruleHandlers(s),
    ...composerHandlers(s),
    ...alertHandlers(s),
    ...accountHandlers(s),
    ...deviceHandlers(s),
    ...flashHandlers(s),
    ...historyHandlers(s),
    ...iamHandlers(s),
    ...consoleHandlers(s),
    ...settingsHandlers(s),
    ...outboxHandlers(s),
    ...presenceHandlers(s),
    ...codecHandlers(s),
    ...mqtt5Handlers(s),
  };
}
export type { Handlers } from './types.js';
