/** Turns a rule hit into a FiredAlert: renders the templates, clips, assigns an id. */
import { randomUUID } from 'node:crypto';
import type { HeldSummary } from './flood.js';
import type { Rule } from './rule.js';
import { MAX_BODY_CHARS, MAX_TITLE_CHARS, renderTemplate } from './template.js';
import type { FiredAlert } from './types.js';

export interface HitContext {
  topic: string;
  profileId: string | null;
  value: unknown;
  /** the time `{ts}` shows: the message's receive time, or the silence time */
  ts: number;
  messageId?: number;
}

export function buildAlert(rule: Rule, hit: HitContext, at: number): FiredAlert {
  const vars = { topic: hit.topic, value: hit.value, ts: hit.ts, rule: rule.name };
  return {
    id: randomUUID(),
    ruleId: rule.id,
    ruleName: rule.name,
    profileId: hit.profileId,
    topic: hit.topic,
    ...(hit.messageId !== undefined ? { messageId: hit.messageId } : {}),
    title: renderTemplate(rule.titleTemplate, vars, MAX_TITLE_CHARS),
    body: renderTemplate(rule.bodyTemplate, vars, MAX_BODY_CHARS),
    at,
  };
}

export function buildSummary(held: HeldSummary, at: number): FiredAlert {
  const others = held.otherFilters > 0 ? ` and ${held.otherFilters} other filter${held.otherFilters === 1 ? '' : 's'}` : '';
  return {
    id: randomUUID(),
    ruleId: held.ruleId,
    ruleName: held.ruleName,
    profileId: null,
    topic: held.filter,
    title: `${held.count} more alert${held.count === 1 ? '' : 's'} from ${held.filter}${others}`,
    body: 'Not shown one by one to keep notifications calm: open Alerts to see the rules that fired.',
    at,
    summary: { count: held.count, filter: held.filter },
  };
}
