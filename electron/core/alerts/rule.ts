/**
 * A notification rule: which messages (profile + topic filter), which condition, how often, when not,
 * and what the notification says. Validated here once, at save: a bad regex, JSON path or filter is
 * rejected with an error naming the field.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { parsePath } from './json-path.js';
import { compileSafeRegex } from './safe-regex.js';
import { validateTopicFilter } from './topic-filter.js';

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w-]+$/, 'ids are letters, digits, _ and -');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use 24-hour HH:MM, e.g. 22:30');

const jsonPath = z
  .string()
  .max(256)
  .superRefine((value, ctx) => {
    const parsed = parsePath(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `invalid JSON path: ${parsed.error}` });
  });

export const CompareOp = z.enum(['>', '>=', '<', '<=', '=', '!=']);
export type CompareOp = z.infer<typeof CompareOp>;

const AnyCondition = z.object({ kind: z.literal('any') }).strict();
const CompareCondition = z
  .object({
    kind: z.literal('compare'),
    path: jsonPath.default('data'),
    op: CompareOp,
    value: z.union([z.number(), z.string().max(1024), z.boolean()]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (typeof c.value === 'boolean' && c.op !== '=' && c.op !== '!=') {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `${c.op} needs a number or text value; use = or != for true/false` });
    }
  });
const ChangedCondition = z.object({ kind: z.literal('changed'), path: jsonPath.default('data') }).strict();
const CrossesCondition = z
  .object({
    kind: z.literal('crosses'),
    path: jsonPath.default('data'),
    threshold: z.number(),
    direction: z.enum(['up', 'down', 'either']).default('either'),
  })
  .strict();
const ContainsCondition = z
  .object({ kind: z.literal('contains'), text: z.string().min(1).max(1024), caseSensitive: z.boolean().default(false) })
  .strict();
const RegexCondition = z
  .object({ kind: z.literal('regex'), pattern: z.string().max(1024), flags: z.string().max(8).default('') })
  .strict()
  .superRefine((c, ctx) => {
    const compiled = compileSafeRegex(c.pattern, c.flags);
    if (!compiled.ok) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `invalid regex: ${compiled.error}` });
  });
const SilentCondition = z
  .object({
    kind: z.literal('silent'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  })
  .strict();

export const Condition = z.discriminatedUnion('kind', [
  AnyCondition,
  CompareCondition,
  ChangedCondition,
  CrossesCondition,
  ContainsCondition,
  RegexCondition,
  SilentCondition,
]);
export type Condition = z.infer<typeof Condition>;
export type ConditionKind = Condition['kind'];

export const QuietHours = z
  .object({ start: hhmm, end: hhmm })
  .strict()
  .refine((q) => q.start !== q.end, { message: 'quiet hours start and end are the same time', path: ['end'] });
export type QuietHours = z.infer<typeof QuietHours>;

/** What a UI sends to create or edit a rule (id absent = new rule). */
export const RuleInput = z
  .object({
    id: id.optional(),
    name: z.string().trim().min(1).max(100),
    enabled: z.boolean().default(true),
    /** null = every profile */
    profileId: id.nullable().default(null),
    topicFilter: z
      .string()
      .min(1)
      .max(1024)
      .superRefine((value, ctx) => {
        const error = validateTopicFilter(value);
        if (error) ctx.addIssue({ code: 'custom', message: `invalid topic filter: ${error}` });
      }),
    condition: Condition,
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600)
      .default(60),
    /** local time; may wrap midnight (22:00–07:00) */
    quietHours: QuietHours.optional(),
    titleTemplate: z.string().max(200).default('{rule}: {topic}'),
    bodyTemplate: z.string().max(1000).default('{value}'),
  })
  .strict();
export type RuleInput = z.input<typeof RuleInput>;
export type Rule = z.output<typeof RuleInput> & { id: string };

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
  return { ...result.data, id: result.data.id ?? `rule-${randomUUID()}` };
}
