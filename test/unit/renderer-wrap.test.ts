import { describe, expect, it } from 'vitest';
import { WrappedLines } from '../../renderer/src/lib/wrap.js';

describe('WrappedLines: rows numbered by the real line they belong to', () => {
  it('a one-line payload is line 1 on every row, and the rows give the line back whole', () => {
    const line = '{"data":' + 'x'.repeat(10_000) + '}';
    const w = new WrappedLines([line], 80);
    expect(w.rows).toBe(Math.ceil(line.length / 80));
    const rows = Array.from({ length: w.rows }, (_, r) => w.row(r));
    expect(rows.every((r) => r.line === 0)).toBe(true);
    expect(rows.filter((r) => r.first)).toHaveLength(1);
    expect(rows.map((r) => r.text).join('')).toBe(line);
    expect(Math.max(...rows.map((r) => r.text.length))).toBe(80);
  });

  it('short lines take one row each; a long one in the middle does not shift the numbers after it', () => {
    const w = new WrappedLines(['a', 'b'.repeat(25), '', 'c'], 10);
    expect(w.rows).toBe(1 + 3 + 1 + 1);
    const rows = Array.from({ length: w.rows }, (_, r) => w.row(r));
    expect(rows.map((r) => r.line)).toEqual([0, 1, 1, 1, 2, 3]);
    expect(rows.map((r) => r.first)).toEqual([true, true, false, false, true, true]);
    expect(rows[3]!.text).toBe('bbbbb');
    expect(rows[4]!.text).toBe('');
    expect(rows[5]!.text).toBe('c');
  });

  it('rows outside the text are empty, and a zero width still wraps (one character a row)', () => {
    const w = new WrappedLines(['abc'], 0);
    expect(w.rows).toBe(3);
    expect(w.row(3)).toEqual({ line: -1, first: false, text: '' });
    expect(w.row(-1).line).toBe(-1);
    expect(new WrappedLines([], 40).rows).toBe(0);
  });

  it('a 4.8 MB one-line JSON indexes as one line without copying it', () => {
    const big = JSON.stringify({ items: Array.from({ length: 200_000 }, (_, i) => ({ i, v: 'abcdefghij' })) });
    expect(big.length).toBeGreaterThan(4_800_000);
    const w = new WrappedLines([big], 120);
    expect(w.row(w.rows - 1).line).toBe(0);
    expect(w.row(w.rows - 1).text.endsWith(']}')).toBe(true);
    expect(w.row(12_345).first).toBe(false);
  });
});
