/**
 * A notification rule: which messages (profile + topic filter), which condition, how often, when not,
 * and what the notification says. The schema is the contract's (api/alerts.ts), so a UI's rule is checked
 * once, where every call is; here rules read back from the store are checked again, with errors naming the field.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { RuleInput, type Rule } from '../../api/alerts.js';

export { CompareOp, Condition, QuietHours, RuleInput, type ConditionKind, type Rule } from '../../api/alerts.js';

export interface RuleIssue {
  path: string;
  message: string;
}

/** A rejected rule. `field` names the first offending field, e.g. `condition.pattern`. */
export class RuleError extends Error {
  readonly field: string;
  constructor(readonly issues: RuleIssue[]) {
    const first = issues[0] ?? { path: '', message: 'rule rejected' };
    super(`${first.path || 'rule'}: ${first.message}`);
    this.name = 'RuleError';
    this.field = first.path;
  }
}

/** Validates untrusted input into a Rule (assigning an id to a new one). Throws RuleError. */
export function parseRule(input: unknown): Rule {
  const result = RuleInput.safeParse(input);
  if (!result.success) {
    throw new RuleError(
      result.error.issues.slice(0, 10).map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return withId(result.data);
}

/** A rule the contract already validated, with an id (a new one gets one). */
export function withId(rule: z.output<typeof RuleInput>): Rule {
  return { ...rule, id: rule.id ?? `rule-${randomUUID()}` };
}
