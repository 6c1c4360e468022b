import { describe, expect, it } from 'vitest';
import { parsePath, readPath } from '../../electron/common/json-path.js';
import { parseRule, RuleError, RuleInput } from '../../electron/core/alerts/rule.js';

const base = { name: 'Hot', topicFilter: 'home/#', condition: { kind: 'any' } };

function rejection(input: unknown): RuleError {
  try {
    parseRule(input);
  } catch (err) {
    if (err instanceof RuleError) return err;
    throw err;
  }
  throw new Error('rule was accepted');
}

describe('parseRule', () => {
  it('fills defaults and assigns an id to a new rule', () => {
    const rule = parseRule(base);
    expect(rule.id).toMatch(/^rule-/);
    expect(rule).toMatchObject({ enabled: true, profileId: null, cooldownSeconds: 60, titleTemplate: '{rule}: {topic}' });
  });

  it('keeps a given id and accepts every condition kind', () => {
    const conditions = [
      { kind: 'any' },
      { kind: 'compare', path: 'data.temp', op: '>=', value: 30 },
      { kind: 'compare', path: '$.data.items[0].v', op: '=', value: 'on' },
      { kind: 'changed', path: 'data' },
      { kind: 'crosses', path: 'data', threshold: 10, direction: 'up' },
      { kind: 'contains', text: 'alarm' },
      { kind: 'regex', pattern: '^err(or)?\\b', flags: 'i' },
      { kind: 'silent', minutes: 15 },
    ];
    for (const condition of conditions) {
      expect(parseRule({ ...base, id: 'r1', condition }).condition.kind).toBe(condition.kind);
    }
  });

  it('rejects an invalid regex naming the field and the problem', () => {
    const err = rejection({ ...base, condition: { kind: 'regex', pattern: 'a(b' } });
    expect(err.field).toBe('condition.pattern');
    expect(err.message).toContain('condition.pattern: invalid regex: missing closing )');
  });

  it('rejects unsupported regex flags', () => {
    expect(rejection({ ...base, condition: { kind: 'regex', pattern: 'a', flags: 'g' } }).message).toContain('unsupported flag');
  });

  it('rejects an invalid JSON path with its position', () => {
    const err = rejection({ ...base, condition: { kind: 'compare', path: 'data..temp', op: '>', value: 1 } });
    expect(err.field).toBe('condition.path');
    expect(err.message).toMatch(/invalid JSON path: .* at position 5/);
    expect(rejection({ ...base, condition: { kind: 'changed', path: 'data[x]' } }).field).toBe('condition.path');
  });

  it('rejects a bad topic filter, equal quiet hours and an ordering op on a boolean', () => {
    expect(rejection({ ...base, topicFilter: 'home/#/x' }).field).toBe('topicFilter');
    expect(rejection({ ...base, topicFilter: 'home/a+' }).field).toBe('topicFilter');
    expect(rejection({ ...base, quietHours: { start: '22:00', end: '22:00' } }).field).toBe('quietHours.end');
    expect(rejection({ ...base, quietHours: { start: '25:00', end: '07:00' } }).field).toBe('quietHours.start');
    expect(rejection({ ...base, condition: { kind: 'compare', op: '>', value: true } }).field).toBe('condition.op');
  });

  it('rejects unknown kinds and unknown keys', () => {
    expect(rejection({ ...base, condition: { kind: 'nope' } }).field).toBe('condition.kind');
    expect(rejection({ ...base, extra: 1 }).message).toMatch(/extra|unrecognized/i);
    expect(RuleInput.safeParse({ ...base, condition: { kind: 'silent', minutes: 0 } }).success).toBe(false);
  });
});

describe('json path', () => {
  it('parses the supported forms', () => {
    expect(parsePath('data')).toEqual({ ok: true, segments: ['data'] });
    expect(parsePath('$.data.items[0].v')).toEqual({ ok: true, segments: ['data', 'items', 0, 'v'] });
    expect(parsePath('data["odd key"]')).toEqual({ ok: true, segments: ['data', 'odd key'] });
    expect(parsePath('$')).toEqual({ ok: true, segments: [] });
  });

  it('bounds the depth and rejects junk', () => {
    expect(parsePath(Array.from({ length: 20 }, () => 'a').join('.')).ok).toBe(false);
    for (const bad of ['', 'data.', '.data', 'data[', 'data]', 'a b', '$x']) expect(parsePath(bad).ok, bad).toBe(false);
  });

  it('reads own properties only', () => {
    expect(readPath({ data: { items: [{ v: 3 }] } }, ['data', 'items', 0, 'v'])).toBe(3);
    expect(readPath({ data: {} }, ['data', 'constructor'])).toBeUndefined();
    expect(readPath({ data: [1] }, ['data', 5])).toBeUndefined();
    expect(readPath('text', ['data'])).toBeUndefined();
  });
});

import { compileTopicFilter as compileForSys } from '../../electron/core/alerts/topic-filter.js';

describe('alert topic filters and $SYS topics', () => {
  it('a first-level wildcard skips $ topics, but $SYS/# matches them', () => {
    expect(compileForSys('#')('$SYS/broker/uptime')).toBe(false);
    expect(compileForSys('+/broker/uptime')('$SYS/broker/uptime')).toBe(false);
    expect(compileForSys('$SYS/#')('$SYS/broker/uptime')).toBe(true);
    expect(compileForSys('$SYS/+/uptime')('$SYS/broker/uptime')).toBe(true);
  });
});
