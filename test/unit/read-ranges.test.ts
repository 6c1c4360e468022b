/** The read's ranges as the contract, the CLI and the desk check them agree with what the sandbox reads. */
import { describe, expect, it } from 'vitest';
import { NAMED_PERIODS, READ_RANGES, parseInstant, timeRangeError } from '../../electron/common/read-ranges.js';
import { parseTimeRange } from '../../electron/sandbox/time-range.js';

describe('time ranges', () => {
  it('offers only ranges the sandbox reads, and accepts every named period', () => {
    for (const value of [...READ_RANGES.map((r) => r.value), ...NAMED_PERIODS, '30min', '2days', '12hour']) {
      expect(timeRangeError(value), value).toBeNull();
      expect(parseTimeRange(value), value).not.toBeNull();
    }
  });

  it('refuses what Beebotte would not read, saying what it takes', () => {
    for (const value of ['fortnight', '0hour', '6 hours', '-1day', '12345hour', '', 'today;drop']) {
      expect(timeRangeError(value), value).toMatch(/not one Beebotte reads: a span such as 30min/);
    }
  });
});

describe('instants', () => {
  it('takes epoch milliseconds and ISO dates, and nothing else', () => {
    expect(parseInstant('1700000000000')).toBe(1_700_000_000_000);
    expect(parseInstant('2026-12-01T08:00:00Z')).toBe(Date.UTC(2026, 11, 1, 8));
    expect(parseInstant(' 2026-12-01 ')).toBe(Date.parse('2026-12-01'));
    for (const bad of ['yesterday', '12/01/2026', '2026-13-45', '1e12', '']) expect(parseInstant(bad), bad).toBeNull();
  });
});
