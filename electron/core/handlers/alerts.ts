import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { alertMessageFromDTO, RuleError, testRule, MAX_TEST_MESSAGES, withId } from '../alerts/index.js';
import { toMessageDTO } from '../store/index.js';
import type { HandlerGroup } from './types.js';

type Methods =
  | 'alerts.rules'
  | 'alerts.saveRule'
  | 'alerts.removeRule'
  | 'alerts.testRule'
  | 'alerts.history'
  | 'alerts.markRead'
  | 'tray.model'
  | 'tray.pause';

const TEST_SAMPLE = 1000;

/** The contract validated the rule; the store checks what it writes once more, and a RuleError there is invalid_params too. */
function asInvalid(err: unknown): never {
  if (err instanceof RuleError) throw new ApiError('invalid_params', err.message);
  throw err;
}

/** A connect/disconnect rule on a profile whose credential cannot see its account's connections would never fire: said now. */
async function canSeeConnections(s: Pick<CoreServices, 'presence'>, profileId: string): Promise<void> {
  try {
    await s.presence.list(profileId);
  } catch (err) {
    throw new ApiError('invalid_params', `profileId: this profile cannot see who connects to its account — ${(err as Error).message}`);
  }
}

export function alertHandlers(s: Pick<CoreServices, 'alerts' | 'log' | 'writer' | 'platform' | 'codecs' | 'presence'>): HandlerGroup<Methods> {
  return {
    'alerts.rules': async () => s.alerts.store.listRules(),
    'alerts.saveRule': async ({ rule }) => {
      if (rule.condition.kind === 'presence' && rule.enabled && rule.profileId) await canSeeConnections(s, rule.profileId);
      try {
        const saved = s.alerts.store.saveRule(rule, s.platform.clock.now());
        s.alerts.reloadRules();
        return saved;
      } catch (err) {
        return asInvalid(err);
      }
    },
    'alerts.removeRule': async ({ id }) => {
      const removed = s.alerts.store.removeRule(id);
      s.alerts.reloadRules();
      return { removed };
    },
    'alerts.testRule': async ({ rule }) => {
      const parsed = withId(rule);
      await s.writer.settled();
      const recent = s.log
        .query({ limit: Math.min(TEST_SAMPLE, MAX_TEST_MESSAGES), ...(parsed.profileId ? { profileId: parsed.profileId } : {}) })
        .map((row) => alertMessageFromDTO(toMessageDTO(row, 64 * 1024, s.codecs.forTopic(row.topic))));
      return { tested: recent.length, hits: testRule(parsed, recent) };
    },
    'alerts.history': async ({ limit }) => s.alerts.store.history({ limit }),
    'alerts.markRead': async ({ ids }) => ({ unread: s.alerts.markRead(ids) }),
    'tray.model': async () => s.alerts.trayModel(),
    'tray.pause': async ({ kind }) => s.alerts.pause(kind),
  };
}

