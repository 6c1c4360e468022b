import { describe, expect, it } from 'vitest';
import { age, bytes, clockTime, count, errorText, exactTime, rate, relativeTime, statusWords } from '../../renderer/src/lib/format.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);
const ago = (seconds: number) => relativeTime(NOW - seconds * 1000, NOW);

describe('relativeTime', () => {
  it.each([
    [0, '0 s ago'],
    [59, '59 s ago'],
    [60, '1 min ago'],
    [59 * 60, '59 min ago'],
    [3600, '1 h ago'],
    [47 * 3600, '47 h ago'],
    [48 * 3600, '2 d ago'],
    [10 * 86400, '10 d ago'],
  ])('%i s → %s', (seconds, text) => {
    expect(ago(seconds)).toBe(text);
  });

  it('a clock slightly ahead never says "-1 s ago"', () => {
    expect(relativeTime(NOW + 5000, NOW)).toBe('0 s ago');
  });

  it('age is the short form for dense columns', () => {
    expect(age(NOW - 3000, NOW)).toBe('3 s');
    expect(age(NOW - 4 * 60_000, NOW)).toBe('4 min');
  });
});

describe('exact and clock times', () => {
  it('carry milliseconds and use a 24-hour clock', () => {
    const t = new Date(2024, 0, 2, 15, 4, 5, 7).getTime();
    expect(clockTime(t)).toMatch(/15.04.05\.007$/);
    expect(exactTime(t)).toMatch(/15.04.05\.007$/);
    expect(exactTime(t)).not.toMatch(/AM|PM/);
  });
});

describe('bytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1536, '1.5 KB'],
    [1024 * 1024, '1.0 MB'],
    [5.25 * 1024 * 1024, '5.3 MB'],
  ])('%i → %s', (n, text) => {
    expect(bytes(n)).toBe(text);
  });

  it('just under 1 MB does not show as "1024.0 KB"', () => {
    expect(bytes(1024 * 1024 - 1)).toBe('1.0 MB');
  });
});

describe('count and rate', () => {
  it('abbreviates large counts', () => {
    expect(count(9_999)).toBe((9_999).toLocaleString());
    expect(count(12_345)).toBe('12.3 k');
    expect(count(250_400)).toBe('250 k');
    expect(count(3_400_000)).toBe('3.4 M');
  });

  it('just under a million does not show as "1000 k"', () => {
    expect(count(999_999)).toBe('1.0 M');
  });

  it('shows nothing for an idle topic and one decimal for slow ones', () => {
    expect(rate(0)).toBe('');
    expect(rate(-1)).toBe('');
    expect(rate(2.34)).toBe('2.3/s');
    expect(rate(12.4)).toBe('12/s');
    expect(rate(15_000)).toBe('15.0 k/s');
  });
});

describe('status words and errors', () => {
  it('idle and closed both read "off"', () => {
    expect(statusWords.idle).toBe('off');
    expect(statusWords.closed).toBe('off');
    expect(statusWords.reconnecting).toBe('reconnecting');
  });

  it('errorText shows the message of an Error, or the value', () => {
    expect(errorText(new Error('token rejected'))).toBe('token rejected');
    expect(errorText('plain')).toBe('plain');
    expect(errorText(42)).toBe('42');
  });
});
