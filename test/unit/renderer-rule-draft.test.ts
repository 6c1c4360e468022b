import { describe, expect, it } from 'vitest';
import { ApiError, parseCall } from '../../electron/api.js';
import { parseRule, RuleError, type Rule } from '../../electron/core/alerts/rule.js';
import {
  describeCondition,
  draftFromRule,
  emptyDraft,
  fieldOfError,
  localErrors,
  ruleFromDraft,
  type RuleDraft,
} from '../../renderer/src/views/alerts/rule-draft.js';

/** A form the user filled in: a compare rule on demo/temperature. */
function filled(patch: Partial<RuleDraft> = {}): RuleDraft {
  return { ...emptyDraft(), name: 'Too hot', topicFilter: 'demo/temperature', value: '30', ...patch };
}

/** What the core says when the form is saved: its own validation, not a stand-in. */
/** What the UI is told: the contract checks a saved rule first (parseCall), the store once more (parseRule). */
function coreError(input: unknown, via: 'contract' | 'store'): string {
  try {
    if (via === 'contract') parseCall('alerts.saveRule', { rule: input });
    else parseRule(input);
  } catch (e) {
    if (e instanceof RuleError || e instanceof ApiError) return e.message;
    throw e;
  }
  throw new Error('the core accepted the rule');
}

describe('rule form → rule the core accepts', () => {
  it('a new compare rule with the default form values saves as typed', () => {
    const rule = parseRule(ruleFromDraft(filled()));
    expect(rule).toMatchObject({
      name: 'Too hot',
      enabled: true,
      profileId: null,
      topicFilter: 'demo/temperature',
      condition: { kind: 'compare', path: 'data', op: '>', value: 30 },
      cooldownSeconds: 60,
      titleTemplate: '{rule}: {topic}',
      bodyTemplate: '{value}',
    });
    expect(rule.quietHours).toBeUndefined();
    expect(rule.id).toMatch(/^rule-/);
  });

  it.each([
    ['42', 42],
    [' -1.5e2 ', -150],
    ['.5', 0.5],
    ['true', true],
    ['false', false],
    ['on', 'on'],
    ['30 C', '30 C'],
  ])('compare value %j is sent as %j', (typed, sent) => {
    const d = filled({ value: typed, op: typeof sent === 'boolean' ? '=' : '>' });
    expect(parseRule(ruleFromDraft(d)).condition).toMatchObject({ value: sent });
  });

  it('trims name, filter and numbers; a blank path means data', () => {
    const d = filled({ name: '  Hot  ', topicFilter: ' demo/# ', path: '  ', cooldownSeconds: ' 0 ' });
    const rule = parseRule(ruleFromDraft(d));
    expect(rule).toMatchObject({ name: 'Hot', topicFilter: 'demo/#', cooldownSeconds: 0 });
    expect(rule.condition).toMatchObject({ path: 'data' });
  });

  it('quiet hours are sent only when switched on', () => {
    expect(ruleFromDraft(filled({ quietStart: '23:00' }))).not.toHaveProperty('quietHours');
    const rule = parseRule(ruleFromDraft(filled({ quiet: true, quietStart: ' 23:00', quietEnd: '06:30 ' })));
    expect(rule.quietHours).toEqual({ start: '23:00', end: '06:30' });
  });

  it('a chosen profile is kept', () => {
    expect(parseRule(ruleFromDraft(filled({ profileId: 'home' }))).profileId).toBe('home');
  });

  it('only the chosen kind is sent, with its own fields', () => {
    const d = filled({ kind: 'contains', text: 'ERR', caseSensitive: true, pattern: 'left over' });
    expect(ruleFromDraft(d).condition).toEqual({ kind: 'contains', text: 'ERR', caseSensitive: true });
  });
});

describe('rule → form → rule keeps the rule', () => {
  const conditions: Rule['condition'][] = [
    { kind: 'any' },
    { kind: 'compare', path: 'data.temp', op: '<=', value: -4.5 },
    { kind: 'compare', path: 'data', op: '!=', value: false },
    { kind: 'compare', path: 'data', op: '=', value: 'open' },
    // text that looks like a number or a boolean stays text through an edit
    { kind: 'compare', path: 'data.code', op: '=', value: '42' },
    { kind: 'compare', path: 'data', op: '=', value: 'true' },
    { kind: 'changed', path: 'data.state' },
    { kind: 'crosses', path: 'data', threshold: 30, direction: 'down' },
    { kind: 'contains', text: 'alarm', caseSensitive: false },
    { kind: 'regex', pattern: '^ERR\\d+', flags: 'i' },
    { kind: 'silent', minutes: 15 },
  ];
  it.each(conditions.map((c) => [c.kind, c] as const))('%s', (_kind, condition) => {
    const original = parseRule({
      name: 'r',
      profileId: 'p1',
      topicFilter: 'home/+/temp',
      condition,
      cooldownSeconds: 120,
      quietHours: { start: '21:30', end: '06:00' },
      titleTemplate: 'T {value}',
      bodyTemplate: 'B {topic}',
      enabled: false,
    });
    const draft = draftFromRule(original);
    expect(localErrors(draft)).toEqual({});
    expect(parseRule(ruleFromDraft(draft))).toEqual(original);
  });

  it('a rule without quiet hours opens with quiet off and the default times', () => {
    const d = draftFromRule(parseRule({ name: 'r', topicFilter: 'a', condition: { kind: 'any' } }));
    expect(d).toMatchObject({ quiet: false, quietStart: '22:00', quietEnd: '07:00', profileId: '' });
  });
});

describe('what the form catches before saving', () => {
  it('a filled form has no errors', () => {
    expect(localErrors(filled())).toEqual({});
  });

  it('an empty form asks for name, topics and the value to compare with', () => {
    expect(Object.keys(localErrors(emptyDraft())).sort()).toEqual(['condition.value', 'name', 'topicFilter']);
    expect(localErrors(filled({ name: '   ' })).name).toMatch(/name/);
  });

  it.each([
    [{ kind: 'crosses', threshold: 'thirty' }, 'condition.threshold'],
    [{ kind: 'crosses', threshold: '' }, 'condition.threshold'],
    [{ kind: 'contains', text: '' }, 'condition.text'],
    [{ kind: 'regex', pattern: '' }, 'condition.pattern'],
    [{ kind: 'silent', minutes: '1.5' }, 'condition.minutes'],
    [{ cooldownSeconds: '-1' }, 'cooldownSeconds'],
    [{ cooldownSeconds: 'soon' }, 'cooldownSeconds'],
  ] as [Partial<RuleDraft>, string][])('%j → error at %s', (patch, field) => {
    expect(Object.keys(localErrors(filled(patch)))).toEqual([field]);
  });

  it('fields of other kinds are not checked', () => {
    expect(localErrors(filled({ kind: 'any', value: '', threshold: 'x', minutes: 'y' }))).toEqual({});
  });
});

describe("the core's errors land next to the right field", () => {
  it.each([
    [{ condition: { kind: 'regex', pattern: '(', flags: '' } }, 'condition.pattern'],
    [{ topicFilter: 'demo/#/x' }, 'topicFilter'],
    [{ condition: { kind: 'compare', path: 'data', op: '>', value: true } }, 'condition.op'],
    [{ condition: { kind: 'compare', path: 'data[', op: '>', value: 1 } }, 'condition.path'],
    [{ quietHours: { start: '22:00', end: '22:00' } }, 'quietHours.end'],
    [{ quietHours: { start: '25:00', end: '07:00' } }, 'quietHours.start'],
    [{ cooldownSeconds: 1.5 }, 'cooldownSeconds'],
  ])('%j → %s', (patch, field) => {
    for (const via of ['contract', 'store'] as const) {
      const message = coreError({ ...ruleFromDraft(filled()), ...patch }, via);
      const mapped = fieldOfError(message);
      expect([via, mapped.field]).toEqual([via, field]);
      expect(message.endsWith(mapped.text)).toBe(true);
      expect(mapped.text).not.toMatch(new RegExp(`^${field.replace('.', '\\.')}:`));
    }
  });

  it('a nested condition field it has no input for goes to the kind selector', () => {
    expect(fieldOfError('condition.foo.bar: odd')).toEqual({ field: 'condition.kind', text: 'odd' });
    expect(fieldOfError('quietHours: overlapping')).toEqual({ field: 'quietHours.end', text: 'overlapping' });
  });

  it('other messages go to the form as a whole, unchanged', () => {
    expect(fieldOfError('rule: rejected')).toEqual({ field: '', text: 'rule: rejected' });
    expect(fieldOfError('the core is not running')).toEqual({ field: '', text: 'the core is not running' });
  });
});

describe('describeCondition: the rule list line', () => {
  const describe1 = (condition: Rule['condition']) =>
    describeCondition(parseRule({ name: 'r', topicFilter: 'a', condition }));
  it.each([
    [{ kind: 'any' }, 'any message'],
    [{ kind: 'compare', path: 'data', op: '>=', value: 30 }, 'data ≥ 30'],
    [{ kind: 'compare', path: 'data.s', op: '!=', value: 'on' }, 'data.s ≠ "on"'],
    [{ kind: 'changed', path: 'data' }, 'data changed'],
    [{ kind: 'crosses', path: 'data', threshold: 5, direction: 'either' }, 'data crosses 5'],
    [{ kind: 'crosses', path: 'data', threshold: 5, direction: 'up' }, 'data crosses 5 going up'],
    [{ kind: 'contains', text: 'x', caseSensitive: true }, 'contains "x" (case-sensitive)'],
    [{ kind: 'contains', text: 'x', caseSensitive: false }, 'contains "x"'],
    [{ kind: 'regex', pattern: '^E', flags: 'i' }, 'matches /^E/i'],
    [{ kind: 'silent', minutes: 10 }, 'silent for 10 min'],
  ] as [Rule['condition'], string][])('%j → %s', (condition, text) => {
    expect(describe1(condition)).toBe(text);
  });
});

describe('a connect/disconnect (offline) rule in the form', () => {
  const presence = (patch: Partial<RuleDraft> = {}) =>
    filled({ kind: 'presence', topicFilter: '', profileId: 'p1', clientId: 'garage-*', channel: 'home', ...patch });

  it('saves with the signaling filter the form does not show, and the core accepts it', () => {
    const rule = ruleFromDraft(presence());
    expect(rule.topicFilter).toBe('signaling/#');
    expect(rule.condition).toEqual({ kind: 'presence', event: 'disconnect', clientId: 'garage-*', channel: 'home' });
    expect(parseRule(rule).profileId).toBe('p1');
    expect(draftFromRule(parseRule({ ...rule, id: 'x' }))).toMatchObject({ kind: 'presence', presenceEvent: 'disconnect', clientId: 'garage-*', channel: 'home' });
    expect(describeCondition(parseRule(rule))).toBe('client garage-* on channel home disconnects');
    expect(describeCondition(parseRule(ruleFromDraft(presence({ clientId: '*', channel: '*', presenceEvent: 'either' }))))).toBe(
      'any client connects or disconnects',
    );
  });

  it('asks for a profile and patterns before saving, and needs no topic filter', () => {
    expect(localErrors(presence())).toEqual({});
    expect(localErrors(presence({ profileId: '', clientId: ' ', channel: '' }))).toEqual({
      profileId: 'a connect/disconnect rule watches one account: choose its profile',
      'condition.clientId': 'which devices? a client id, sensor-* or * for any',
      'condition.channel': 'which channel? a name, or * for any',
    });
  });

  it("the core's profile error lands at the profile", () => {
    const message = coreError({ ...ruleFromDraft(presence()), profileId: null }, 'contract');
    expect(fieldOfError(message)).toEqual({ field: 'profileId', text: 'a connect/disconnect rule watches one account: choose its profile' });
    expect(fieldOfError('profileId: this profile cannot see who connects to its account — x').field).toBe('profileId');
  });
});
