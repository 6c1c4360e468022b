/**
 * Beerule conditions and values (sandbox/beerule-expr.ts): what a rule author writes evaluates as arithmetic and
 * logic do, names come only from the resolver (nothing reaches JavaScript), bad text is refused with where, and
 * the sizes are bounded.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, evaluate, parseExpression, truthy } from '../../electron/sandbox/beerule-expr.js';

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
});
