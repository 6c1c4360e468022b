import { describe, expect, it } from 'vitest';
import { timeTicks } from '../../renderer/src/lib/time-ticks.js';

// local times, as the desk shows them (the test runs in the machine's zone: build the instants from local parts)
const at = (h: number, m: number, s = 0, ms = 0, day = 3) => new Date(2026, 11, day, h, m, s, ms).getTime() / 1000;
const dayOf = (day: number) => new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' }).format(new Date(2026, 11, day));

describe('timeTicks: the chart axis in the desk’s 24-hour clock', () => {
  it('sub-second ticks show the fraction the spacing needs, the date under the first', () => {
    expect(timeTicks([at(23, 57, 56, 800), at(23, 57, 57), at(23, 57, 57, 200)], 0.2)).toEqual([
      `23:57:56.8\n${dayOf(3)}`,
      '23:57:57.0',
      '23:57:57.2',
    ]);
    expect(timeTicks([at(9, 5, 1, 50), at(9, 5, 1, 75)], 0.025)[1]).toBe('09:05:01.07');
  });

  it('seconds only when ticks are seconds apart; hours and minutes when minutes apart', () => {
    expect(timeTicks([at(14, 0, 10), at(14, 0, 20)], 10)).toEqual([`14:00:10\n${dayOf(3)}`, '14:00:20']);
    expect(timeTicks([at(14, 0), at(14, 30), at(15, 0)], 1800)).toEqual([`14:00\n${dayOf(3)}`, '14:30', '15:00']);
  });

  it('the date again where the day changes; days alone when ticks are days apart', () => {
    expect(timeTicks([at(22, 0), at(23, 0), at(0, 0, 0, 0, 4)], 3600)).toEqual([`22:00\n${dayOf(3)}`, '23:00', `00:00\n${dayOf(4)}`]);
    expect(timeTicks([at(0, 0, 0, 0, 1), at(0, 0, 0, 0, 2)], 86_400)).toEqual([dayOf(1), dayOf(2)]);
  });
});
