import { describe, expect, it } from 'vitest';
import { vtypeHint, vtypeMismatch } from '../../renderer/src/views/composer/vtype.js';

describe('composer vtype hints', () => {
  it.each([
    [undefined, 'any JSON value'],
    ['any', 'any JSON value'],
    ['temperature', 'temperature: a number, e.g. 21.5'],
    ['email', 'email: a JSON string, e.g. "on"'],
    ['boolean', 'boolean: true or false'],
    ['gps', 'gps: {"latitude": …, "longitude": …}'],
    ['array', 'array: [ … ]'],
    ['some_future_type', 'some_future_type'],
  ])('%s → %s', (vtype, hint) => {
    expect(vtypeHint(vtype)).toBe(hint);
  });
});

describe('composer vtype mismatch', () => {
  it('accepts values that fit', () => {
    expect(vtypeMismatch('temperature', 21.5)).toBeNull();
    expect(vtypeMismatch('string', 'on')).toBeNull();
    expect(vtypeMismatch('boolean', false)).toBeNull();
    expect(vtypeMismatch('gps', { latitude: 1, longitude: 2 })).toBeNull();
    expect(vtypeMismatch('array', [])).toBeNull();
    expect(vtypeMismatch(undefined, 'anything')).toBeNull();
    expect(vtypeMismatch('any', null)).toBeNull();
    expect(vtypeMismatch('unknown_type', 3)).toBeNull();
  });

  it('says what a resource expects when the value does not fit', () => {
    expect(vtypeMismatch('temperature', '21.5')).toBe('temperature expects a number');
    expect(vtypeMismatch('string', 5)).toBe('string expects a string in quotes');
    expect(vtypeMismatch('boolean', 'true')).toBe('boolean expects true or false');
    expect(vtypeMismatch('array', { a: 1 })).toBe('array expects [ … ]');
  });

  it('an array or null is not an object or a position', () => {
    expect(vtypeMismatch('object', [1])).toBe('object expects an object');
    expect(vtypeMismatch('gps', null)).toBe('gps expects an object');
  });
});
