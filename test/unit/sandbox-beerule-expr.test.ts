/**
 * Beerule conditions and values (sandbox/beerule-expr.ts): what a rule author writes evaluates as arithmetic and
 * logic do, names come only from the resolver (nothing reaches JavaScript), bad text is refused with where, and
 * the sizes are bounded.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, evaluate, parseExpression, truthy } from '../../electron/sandbox/beerule-expr.js';
import { BeeruleStore, MAX_RULE_NAMES } from '../../electron/sandbox/beerules.js';

const names: Record<string, unknown> = { 'home.temp': 30, 'home.note': 'hi', data: { level: 3, s: '21.5' }, 'data.level': 3 };
const run = (source: string, vars: Record<string, unknown> = names) =>
  evaluate(parseExpression(source, 'condition'), (path) =>
    Object.hasOwn(vars, path.join('.')) ? vars[path.join('.')] : undefined,
  );

describe('Beerule expressions', () => {
  it('evaluates arithmetic with precedence, comparisons and logic', () => {
    expect(run('home.temp * 1.8 + 32')).toBeCloseTo(86);
    expect(run('(home.temp - 10) / 4 % 3')).toBe(2);
    expect(run('home.temp > 25 && home.temp <= 30')).toBe(true);
    expect(run('!(home.temp > 25) || false')).toBe(false);
    expect(run('-home.temp + 31')).toBe(1);
    expect(run("'temp: ' + home.temp")).toBe('temp: 30');
    expect(run('home.note == \'hi\' && home.note != "ho"')).toBe(true);
    expect(run('data.level >= 3')).toBe(true);
  });

  it('compares a numeric string as a number, and a missing value as false', () => {
    expect(run('data.s > 20', { 'data.s': '21.5' })).toBe(true);
    expect(run('garage.door > 0')).toBe(false);
    expect(run('garage.door == null')).toBe(false);
    expect(truthy(run('garage.door'))).toBe(false);
  });

  it('never reaches JavaScript: names are only what the resolver gives', () => {
    expect(run('constructor')).toBeUndefined();
    expect(run('process.exit')).toBeUndefined();
    expect(() => parseExpression('home.temp; process.exit(1)', 'condition')).toThrow(/unexpected character ";"/);
    expect(() => parseExpression('eval(1)', 'condition')).toThrow(/unexpected text/);
    expect(() => parseExpression('`x`', 'condition')).toThrow(/unexpected character/);
  });

  it('refuses bad text with where it went wrong, in Beebotte’s validation error', () => {
    expect(() => parseExpression('home.temp >', 'condition')).toThrow(/condition: the expression ends too early/);
    expect(() => parseExpression('(1 + 2', 'condition')).toThrow(/a \( is not closed/);
    expect(() => parseExpression("'open", 'action.value')).toThrow(/action.value: a string is not closed/);
    expect(() => parseExpression('', 'condition')).toThrow(/empty/);
    try {
      parseExpression('1 +', 'condition');
    } catch (err) {
      expect(err).toMatchObject({ status: 400, code: 1403 });
    }
  });

  it('bounds length, nesting and the strings + can build', () => {
    expect(() => parseExpression(`1${' + 1'.repeat(200)}`, 'condition')).toThrow(/longer than 512/);
    expect(() => parseExpression(`${'('.repeat(40)}1${')'.repeat(40)}`, 'condition')).toThrow(/nested more than/);
    expect(run('((((1 + 2))))')).toBe(3); // ordinary nesting is fine
    const big = 'x'.repeat(MAX_TEXT_LENGTH / 2 + 1);
    expect(() => run('data + data', { data: big })).toThrow(/longer than/);
  });

  it('bounds the data one evaluation compares: a rule that compares a large message over and over is refused', () => {
    const large: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) large[`k${i}`] = 'v'.repeat(50); // ~120 KB, within a message's 128 KiB
    const other = { ...large, k1: 'x' };
    // each == serialised both sides: 28 of them made one run cost ~18 ms, every message, every such rule
    const pairs = `(data.a == data.b)${' || (data.a == data.b)'.repeat(20)}`;
    expect(() => run(pairs, { 'data.a': large, 'data.b': other })).toThrow(/compares or joins more than/);
    // comparing it a few times, or comparing small values, stays fine
    expect(run("data == data && data != 'off'", { data: large })).toBe(true);
    expect(run('data.a == data.b', { 'data.a': large, 'data.b': other })).toBe(false);
    expect(run(`1${' == 1'.repeat(80)}`)).toBe(false);
    expect(run(`data${' == data'.repeat(60)}`, { data: large })).toBe(false); // true == data: no serialising
    expect(run("data == 'v' || data == 'w'", { data: 'v'.repeat(100_000) })).toBe(false);
  });
});

describe('Beerule bodies', () => {
  const body = (condition: string) => ({
    name: 'reads many',
    trigger: { event: 'write', channel: 'home', resource: 'temp' },
    condition,
    action: { type: 'publish', channel: 'home', resource: 'note' },
  });

  it(`reads at most ${MAX_RULE_NAMES} stored resources (each is a lookup of its last value on every run)`, () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `home.r${i} > 0`).join(' || ');
    expect(BeeruleStore.parse('alice', body(names(MAX_RULE_NAMES))).condition).toBe(names(MAX_RULE_NAMES));
    expect(() => BeeruleStore.parse('alice', body(names(MAX_RULE_NAMES + 1)))).toThrow(
      new RegExp(`read more than ${MAX_RULE_NAMES} resources`),
    );
    // the same resource named again, and the event's own data, count once and not at all
    const repeated = `home.r1 > 0${' || home.r1 > 1'.repeat(30)} || data.level > 2 || channel == 'home'`;
    expect(BeeruleStore.parse('alice', body(repeated)).condition).toBe(repeated);
  });
});
