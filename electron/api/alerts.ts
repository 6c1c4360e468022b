/**
 * The alert part of the contract: a notification rule as a UI sends it (validated here, once, with the
 * regex and JSON path compiled), and what the core sends back (fired alerts, their history, the tray model).
 * Like api.ts, it imports nothing from the core: only common/ rules.
 */
import { z } from 'zod';
import { parsePath } from '../common/json-path.js';
import { compileSafeRegex } from '../common/safe-regex.js';
import { hasControlChars } from '../common/control-chars.js';
import { compileTopicFilter, topicFilterError } from '../common/topic-filter.js';
import type { SessionStatus } from '../api.js';

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

/** `*` any run of characters, `?` one; everything else literal (client ids and channel names, case-sensitive) */
const GlobPattern = z
  .string()
  .trim()
  .min(1, 'use * for any')
  .max(256)
  .refine((text) => !hasControlChars(text), 'no control characters');
/**
 * A client connecting to or leaving the profile's account (Beebotte's signaling/connect|disconnect events, or
 * a change between two reads of /v1/connections where the credential cannot read signaling): "device offline"
 * the moment its connection goes, not after minutes of silence.
 */
const PresenceCondition = z
  .object({
    kind: z.literal('presence'),
    event: z.enum(['connect', 'disconnect', 'either']).default('disconnect'),
    /** the MQTT client id (or WebSocket userid) */
    clientId: GlobPattern.default('*'),
    /** the channel of the channel token it connects with; `*` also matches account keys and IAM tokens */
    channel: GlobPattern.default('*'),
  })
  .strict();

/** Where presence events arrive for the engine: a rule on them reads these topics (signaling/# both). */
export const PRESENCE_TOPICS = ['signaling/connect', 'signaling/disconnect'] as const;

export const Condition = z.discriminatedUnion('kind', [
  AnyCondition,
  CompareCondition,
  ChangedCondition,
  CrossesCondition,
  ContainsCondition,
  RegexCondition,
  SilentCondition,
  PresenceCondition,
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
        const error = topicFilterError(value);
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
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.condition.kind !== 'presence') return;
    // one account's connections: the profile says which account (and which credential watches it)
    if (rule.profileId === null)
      ctx.addIssue({ code: 'custom', path: ['profileId'], message: 'a connect/disconnect rule watches one account: choose its profile' });
    const matches = compileTopicFilter(rule.topicFilter);
    if (!PRESENCE_TOPICS.some((t) => matches(t)))
      ctx.addIssue({
        code: 'custom',
        path: ['topicFilter'],
        message: 'a connect/disconnect rule reads the account’s signaling events: use the topic filter signaling/#',
      });
  });
export type RuleInput = z.input<typeof RuleInput>;
export type Rule = z.output<typeof RuleInput> & { id: string };

/** What the ingest path hands the alert engine: one decoded message. */
export interface AlertMessage {
  /** the stored message id, when the store has assigned one (click → open the message) */
  id?: number;
  profileId: string;
  topic: string;
  /** ms since epoch */
  receivedAt: number;
  /** UTF-8 text of the payload; null for binary */
  text: string | null;
  /** the parsed JSON payload (whole, e.g. {"data": …}); undefined when not JSON */
  json: unknown;
}

/** A notification to show (and to keep in history). */
export interface FiredAlert {
  id: string;
  ruleId: string;
  ruleName: string;
  /** null for a summary, or a silence alert of an all-profiles rule before any message matched it */
  profileId: string | null;
  /** the message topic; for silence, the silent topic (the rule's filter if none matched yet); for summaries, the filter */
  topic: string;
  messageId?: number;
  title: string;
  body: string;
  /** ms since epoch */
  at: number;
  /** flood control: this alert stands for `count` alerts that were not shown */
  summary?: { count: number; filter: string };
}

/** A fired alert as the history keeps it. */
export interface StoredAlert extends FiredAlert {
  read: boolean;
}

/** "Test against recent messages": one message that would have fired the rule. */
export interface RuleTestHit {
  message: AlertMessage;
  alert: FiredAlert;
  /** the alert would have been held back by quiet hours at that time */
  inQuietHours: boolean;
}

// ---------------------------------------------------------------------------------------------
// The tray model: what the Electron tray draws and the headless page's header shows

export type TrayConnection = 'connected' | 'reconnecting' | 'failed' | 'idle';
export type TrayOverall = TrayConnection | 'paused';
export type TrayIcon = `tray-${TrayOverall}`;
export type PauseKind = '1h' | 'tomorrow';

export interface TrayProfileEntry {
  id: string;
  name: string;
  status: SessionStatus;
  /** the state in words: "Connected", "Reconnecting (next try in 5 s)", "Failed: …" */
  stateLabel: string;
  /** "Home — Connected" */
  label: string;
  action: 'connect' | 'disconnect';
}

export interface TrayAlertEntry {
  id: string;
  label: string;
  topic: string;
  profileId: string | null;
  messageId?: number;
  at: number;
}

export interface TrayModel {
  /** what the icon shows: the connection state, or paused while notifications are paused */
  overall: TrayOverall;
  /** the connection state, also while paused */
  connection: TrayConnection;
  icon: TrayIcon;
  /** one line on why the state is what it is */
  reason: string;
  tooltip: string;
  unread: number;
  profiles: TrayProfileEntry[];
  recentAlerts: TrayAlertEntry[];
  templates: { id: string; name: string; topic: string; label: string }[];
  paused: { until: number; label: string } | null;
  pauseOptions: { kind: PauseKind; label: string; until: number }[];
}
