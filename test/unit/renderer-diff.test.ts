import { describe, expect, it } from 'vitest';
import { diffLines, type DiffLine } from '../../renderer/src/lib/diff.js';
import { prettyJson, toLines } from '../../renderer/src/lib/payload.js';

/** What the diff view does with two payloads: pretty JSON when it parses, then lines. */
const diffPayloads = (before: string, after: string) =>
  diffLines(toLines(prettyJson(before) ?? before), toLines(prettyJson(after) ?? after));

const side = (d: DiffLine[], drop: '+' | '-') => d.filter((l) => l.op !== drop).map((l) => l.text);
const changed = (d: DiffLine[]) => d.filter((l) => l.op !== ' ').map((l) => `${l.op}${l.text}`);

describe('diff against the previous message', () => {
  it('shows the changed key as removed and added, the rest unchanged', () => {
    const d = diffPayloads('{"data":21.5,"unit":"C","ts":1}', '{"data":22,"unit":"C","ts":1}');
    expect(changed(d)).toEqual(['-  "data": 21.5,', '+  "data": 22,']);
    expect(d.filter((l) => l.op === ' ').map((l) => l.text)).toEqual(['{', '  "unit": "C",', '  "ts": 1', '}']);
  });

  it('shows an added and a removed key', () => {
    const d = diffPayloads('{"a":1,"b":2}', '{"a":1,"c":3}');
    expect(changed(d)).toEqual(['-  "b": 2', '+  "c": 3']);
    // "a": 1 gains a trailing comma in both, so it stays unchanged
    expect(d.find((l) => l.text === '  "a": 1,')!.op).toBe(' ');
  });

  it('identical payloads have no changes', () => {
    const d = diffPayloads('{"x":[1,2,3]}', '{"x":[1,2,3]}');
    expect(changed(d)).toEqual([]);
    expect(d.length).toBeGreaterThan(1);
  });

  it('compact and pretty JSON of the same value are the same', () => {
    expect(changed(diffPayloads('{"a":1}', '{\n  "a": 1\n}'))).toEqual([]);
  });

  it('plain text payloads diff by line', () => {
    const d = diffPayloads('one\ntwo\nthree', 'one\n2\nthree\nfour');
    expect(changed(d)).toEqual(['-two', '+2', '+four']);
  });

  it('keeps every line of both sides, in order', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'c'];
    const after = ['x', 'b', 'c', 'e', 'f', 'g', 'c', 'a'];
    const d = diffLines(before, after);
    expect(side(d, '+')).toEqual(before);
    expect(side(d, '-')).toEqual(after);
    // minimal: the longest common subsequence (b c e f c) is kept, 5 lines
    expect(d.filter((l) => l.op === ' ')).toHaveLength(5);
  });

  it('from nothing and to nothing', () => {
    expect(diffLines([], ['a', 'b'])).toEqual([
      { op: '+', text: 'a' },
      { op: '+', text: 'b' },
    ]);
    expect(diffLines(['a'], [])).toEqual([{ op: '-', text: 'a' }]);
    expect(diffLines([], [])).toEqual([]);
  });

  it('repeated lines are not lost when head and tail overlap', () => {
    const d = diffLines(['a', 'a', 'a'], ['a', 'a']);
    expect(side(d, '+')).toEqual(['a', 'a', 'a']);
    expect(side(d, '-')).toEqual(['a', 'a']);
    expect(changed(d)).toEqual(['-a']);
    const grown = diffLines(['a', 'a'], ['a', 'a', 'a']);
    expect(side(grown, '-')).toEqual(['a', 'a', 'a']);
    expect(changed(grown)).toEqual(['+a']);
  });

  it('two huge, different payloads still diff (bounded), keeping the common head and tail', () => {
    const mid = (p: string) => Array.from({ length: 1500 }, (_, i) => `${p}${i}`);
    const before = ['head', ...mid('old'), 'tail'];
    const after = ['head', ...mid('new'), 'tail'];
    const d = diffLines(before, after);
    expect(d[0]).toEqual({ op: ' ', text: 'head' });
    expect(d.at(-1)).toEqual({ op: ' ', text: 'tail' });
    expect(side(d, '+')).toEqual(before);
    expect(side(d, '-')).toEqual(after);
    expect(d).toHaveLength(2 + 3000);
  });
});
