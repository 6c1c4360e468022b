/**
 * The rule editor's form model: every field as the user typed it (text for numbers), converted to the
 * core's rule shape on save. The core validates (regex, JSON path, filter); this file only catches what
 * a form can know (a number that is not a number) and maps the core's "field: message" errors to fields.
 */
import type { Rule, RuleInput } from '../../../../electron/api';

export type ConditionKind = Rule['condition']['kind'];
export type CompareOp = '>' | '>=' | '<' | '<=' | '=' | '!=';

export interface RuleDraft {
  id?: string;
  name: string;
  enabled: boolean;
  /** '' = every profile */
  profileId: string;
  topicFilter: string;
  kind: ConditionKind;
  path: string;
  op: CompareOp;
  value: string;
  threshold: string;
  direction: 'up' | 'down' | 'either';
  text: string;
  caseSensitive: boolean;
  pattern: string;
  flags: string;
  minutes: string;
  /** presence: connect, disconnect or either; the client id and channel patterns (`*` any) */
  presenceEvent: 'connect' | 'disconnect' | 'either';
  clientId: string;
  channel: string;
  cooldownSeconds: string;
  quiet: boolean;
  quietStart: string;
  quietEnd: string;
  titleTemplate: string;
  bodyTemplate: string;
}

export const KINDS: { kind: ConditionKind; label: string }[] = [
  { kind: 'any', label: 'Any message' },
  { kind: 'compare', label: 'Value compared with…' },
  { kind: 'changed', label: 'Value changed' },
  { kind: 'crosses', label: 'Value crosses a threshold' },
  { kind: 'contains', label: 'Text contains' },
  { kind: 'regex', label: 'Text matches a regex' },
  { kind: 'silent', label: 'No message for N minutes (silent device)' },
  { kind: 'presence', label: 'A device connects or disconnects (offline)' },
];

/** A presence rule reads the account's signaling events: the editor sets this filter and hides the field. */
export const PRESENCE_FILTER = 'signaling/#';

export const OPS: { op: CompareOp; label: string }[] = [
  { op: '>', label: '>' },
  { op: '>=', label: '≥' },
  { op: '<', label: '<' },
  { op: '<=', label: '≤' },
  { op: '=', label: '=' },
  { op: '!=', label: '≠' },
];

export const PLACEHOLDERS = ['{topic}', '{channel}', '{resource}', '{value}', '{ts}', '{rule}'];

export const DEFAULT_TITLE = '{rule}: {topic}';
/** a presence alert's {value} names the device: "garage-1 disconnected (channel home, mqtt)" */
export const PRESENCE_TITLE = '{rule}: {value}';

export function emptyDraft(profileId = ''): RuleDraft {
  return {
    name: '',
    enabled: true,
    profileId,
    topicFilter: '',
    kind: 'compare',
    path: 'data',
    op: '>',
    value: '',
    threshold: '',
    direction: 'either',
    text: '',
    caseSensitive: false,
    pattern: '',
    flags: '',
    minutes: '10',
    presenceEvent: 'disconnect',
    clientId: '*',
    channel: '*',
    cooldownSeconds: '60',
    quiet: false,
    quietStart: '22:00',
    quietEnd: '07:00',
    titleTemplate: DEFAULT_TITLE,
    bodyTemplate: '{value}',
  };
}

export function draftFromRule(rule: Rule): RuleDraft {
  const d = emptyDraft(rule.profileId ?? '');
  const c = rule.condition;
  Object.assign(d, {
    id: rule.id,
    name: rule.name,
    enabled: rule.enabled,
    topicFilter: rule.topicFilter,
    kind: c.kind,
    cooldownSeconds: String(rule.cooldownSeconds),
    quiet: Boolean(rule.quietHours),
    quietStart: rule.quietHours?.start ?? d.quietStart,
    quietEnd: rule.quietHours?.end ?? d.quietEnd,
    titleTemplate: rule.titleTemplate,
    bodyTemplate: rule.bodyTemplate,
  });
  if (c.kind === 'compare') Object.assign(d, { path: c.path, op: c.op, value: shownCompareValue(c.value) });
  if (c.kind === 'changed') d.path = c.path;
  if (c.kind === 'crosses') Object.assign(d, { path: c.path, threshold: String(c.threshold), direction: c.direction });
  if (c.kind === 'contains') Object.assign(d, { text: c.text, caseSensitive: c.caseSensitive });
  if (c.kind === 'regex') Object.assign(d, { pattern: c.pattern, flags: c.flags });
  if (c.kind === 'silent') d.minutes = String(c.minutes);
  if (c.kind === 'presence') Object.assign(d, { presenceEvent: c.event, clientId: c.clientId, channel: c.channel });
  return d;
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** "42" → 42, "true" → true, anything else stays text (the core compares text with text). */
/** Text that would read back as a number or true/false is shown quoted, so editing keeps it text. */
function shownCompareValue(value: number | string | boolean): string {
  if (typeof value !== 'string') return String(value);
  const t = value.trim();
  return NUMBER.test(t) || t === 'true' || t === 'false' || /^".*"$/.test(t) ? JSON.stringify(value) : value;
}

function compareValue(text: string): number | string | boolean {
  const t = text.trim();
  if (/^".*"$/.test(t)) {
    try {
      return JSON.parse(t) as string; // "42" in quotes: the text 42, not the number
    } catch {
      return text;
    }
  }
  if (NUMBER.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  return text;
}

export type FieldErrors = Record<string, string>;

/** What the form itself can tell before asking the core. */
export function localErrors(d: RuleDraft): FieldErrors {
  const e: FieldErrors = {};
  if (!d.name.trim()) e.name = 'give the rule a name (it appears in the notification)';
  if (d.kind !== 'presence' && !d.topicFilter.trim()) e.topicFilter = 'which topics? e.g. demo/temperature or home/#';
  if (d.kind === 'presence' && !d.profileId) e.profileId = 'a connect/disconnect rule watches one account: choose its profile';
  if (d.kind === 'presence' && !d.clientId.trim()) e['condition.clientId'] = 'which devices? a client id, sensor-* or * for any';
  if (d.kind === 'presence' && !d.channel.trim()) e['condition.channel'] = 'which channel? a name, or * for any';
  if (d.kind === 'compare' && !d.value.trim()) e['condition.value'] = 'compare with what? a number, text, true or false';
  if (d.kind === 'crosses' && !NUMBER.test(d.threshold.trim())) e['condition.threshold'] = 'enter a number, e.g. 30';
  if (d.kind === 'contains' && !d.text) e['condition.text'] = 'enter the text to look for';
  if (d.kind === 'regex' && !d.pattern) e['condition.pattern'] = 'enter a pattern, e.g. ^ERR';
  if (d.kind === 'silent' && !/^\d+$/.test(d.minutes.trim())) e['condition.minutes'] = 'enter whole minutes, e.g. 10';
  if (!/^\d+$/.test(d.cooldownSeconds.trim())) e.cooldownSeconds = 'enter whole seconds (0 = no cooldown)';
  return e;
}

/** The rule object the core's alerts.saveRule / alerts.testRule take. */
export function ruleFromDraft(d: RuleDraft): RuleInput {
  const path = d.path.trim() || 'data';
  const conditions: Record<ConditionKind, RuleInput['condition']> = {
    any: { kind: 'any' },
    compare: { kind: 'compare', path, op: d.op, value: compareValue(d.value) },
    changed: { kind: 'changed', path },
    crosses: { kind: 'crosses', path, threshold: Number(d.threshold.trim()), direction: d.direction },
    contains: { kind: 'contains', text: d.text, caseSensitive: d.caseSensitive },
    regex: { kind: 'regex', pattern: d.pattern, flags: d.flags.trim() },
    silent: { kind: 'silent', minutes: Number(d.minutes.trim()) },
    presence: { kind: 'presence', event: d.presenceEvent, clientId: d.clientId.trim(), channel: d.channel.trim() },
  };
  return {
    ...(d.id ? { id: d.id } : {}),
    name: d.name.trim(),
    enabled: d.enabled,
    profileId: d.profileId || null,
    topicFilter: d.kind === 'presence' ? PRESENCE_FILTER : d.topicFilter.trim(),
    condition: conditions[d.kind],
    cooldownSeconds: Number(d.cooldownSeconds.trim()),
    ...(d.quiet ? { quietHours: { start: d.quietStart.trim(), end: d.quietEnd.trim() } } : {}),
    titleTemplate: d.titleTemplate,
    bodyTemplate: d.bodyTemplate,
  };
}

/** Fields the editor can show an error next to. */
const FIELDS = new Set([
  'name',
  'profileId',
  'topicFilter',
  'cooldownSeconds',
  'titleTemplate',
  'bodyTemplate',
  'condition.kind',
  'condition.path',
  'condition.op',
  'condition.value',
  'condition.threshold',
  'condition.direction',
  'condition.text',
  'condition.pattern',
  'condition.flags',
  'condition.minutes',
  'condition.event',
  'condition.clientId',
  'condition.channel',
  'quietHours.start',
  'quietHours.end',
]);

/**
 * The core names the field first: "invalid params for alerts.saveRule: rule.condition.pattern: invalid regex: …"
 * (the contract's check) or "condition.pattern: invalid regex: …" (the store's).
 * Returns the field to show it at, or '' for the form as a whole.
 */
export function fieldOfError(message: string): { field: string; text: string } {
  const m = /^(?:invalid params for alerts\.\w+: rule\.)?([\w.]+): ([\s\S]+)$/.exec(message);
  if (!m) return { field: '', text: message };
  const path = m[1]!;
  if (FIELDS.has(path)) return { field: path, text: m[2]! };
  if (path === 'quietHours') return { field: 'quietHours.end', text: m[2]! };
  if (path.startsWith('condition')) return { field: 'condition.kind', text: m[2]! };
  return { field: '', text: message };
}

/** One line describing a rule in the list: "demo/temperature · data > 30 · 60 s cooldown". */
export function describeCondition(rule: Rule): string {
  const c = rule.condition;
  const op = (o: string) => OPS.find((x) => x.op === o)?.label ?? o;
  switch (c.kind) {
    case 'any':
      return 'any message';
    case 'compare':
      return `${c.path} ${op(c.op)} ${JSON.stringify(c.value)}`;
    case 'changed':
      return `${c.path} changed`;
    case 'crosses':
      return `${c.path} crosses ${c.threshold}${c.direction === 'either' ? '' : ` going ${c.direction}`}`;
    case 'contains':
      return `contains ${JSON.stringify(c.text)}${c.caseSensitive ? ' (case-sensitive)' : ''}`;
    case 'regex':
      return `matches /${c.pattern}/${c.flags}`;
    case 'silent':
      return `silent for ${c.minutes} min`;
    case 'presence': {
      const what = c.event === 'either' ? 'connects or disconnects' : c.event === 'connect' ? 'connects' : 'disconnects';
      const who = c.clientId === '*' ? 'any client' : `client ${c.clientId}`;
      return `${who}${c.channel === '*' ? '' : ` on channel ${c.channel}`} ${what}`;
    }
  }
}
