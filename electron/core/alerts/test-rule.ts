/**
 * "Test against recent messages": which of these messages would fire this rule, ignoring cooldown and
 * flood control (quiet hours are reported, not applied). Runs on a fresh condition state.
 */
import type { MessageDTO } from '../../api.js';
import { buildAlert } from './build-alert.js';
import { compileCondition } from './conditions.js';
import { inQuietHours } from './quiet-hours.js';
import type { Rule } from './rule.js';
import { compileTopicFilter } from './topic-filter.js';
import type { AlertMessage, RuleTestHit } from '../../api/alerts.js';

export type { RuleTestHit } from '../../api/alerts.js';

/** At most this many messages are tested; the newest are kept. */
export const MAX_TEST_MESSAGES = 5000;

export function testRule(rule: Rule, recentMessages: readonly AlertMessage[]): RuleTestHit[] {
  let matches: ReturnType<typeof compileTopicFilter>;
  let condition: ReturnType<typeof compileCondition>;
  try {
    matches = compileTopicFilter(rule.topicFilter);
    condition = compileCondition(rule.condition);
  } catch {
    return [];
  }
  // oldest first, so changed/crosses see the sequence as it happened
  const messages = [...recentMessages].sort((a, b) => a.receivedAt - b.receivedAt).slice(-MAX_TEST_MESSAGES);
  const hits: RuleTestHit[] = [];
  let previousAt: number | null = null;
  for (const message of messages) {
    if (rule.profileId !== null && rule.profileId !== message.profileId) continue;
    if (!matches(message.topic)) continue;
    let value: unknown;
    let at = message.receivedAt;
    if (rule.condition.kind === 'silent') {
      // a gap of N minutes before this message is a silence the rule would have reported
      const gap = previousAt === null ? 0 : message.receivedAt - previousAt;
      const limit = rule.condition.minutes * 60_000;
      const silentSince = previousAt;
      previousAt = message.receivedAt;
      if (silentSince === null || gap < limit) continue;
      at = silentSince + limit;
      value = `no message for ${rule.condition.minutes} min`;
    } else {
      const hit = safely(() => condition.test(message));
      if (!hit) continue;
      value = hit.value;
    }
    const silent = rule.condition.kind === 'silent';
    const context = {
      topic: silent ? rule.topicFilter : message.topic,
      profileId: silent ? rule.profileId : message.profileId,
      value,
      ts: at,
      ...(message.id !== undefined ? { messageId: message.id } : {}),
    };
    hits.push({ message, alert: buildAlert(rule, context, at), inQuietHours: inQuietHours(rule.quietHours, at) });
  }
  return hits;
}

/** Turns a stored message (as the UI sees it) into engine input; the payload wins over the preview. */
export function alertMessageFromDTO(dto: MessageDTO & { payload?: string }): AlertMessage {
  const text = dto.kind === 'binary' ? null : (dto.payload ?? dto.preview);
  let json: unknown = undefined;
  if (dto.kind === 'json' && text !== null) {
    try {
      json = JSON.parse(text);
    } catch {
      // a clipped preview is not valid JSON; fall back to the envelope's data
      json = dto.envelope ? { data: dto.envelope.data } : undefined;
    }
  }
  return { id: dto.id, profileId: dto.profileId, topic: dto.topic, receivedAt: dto.receivedAt, text, json };
}

function safely<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}
