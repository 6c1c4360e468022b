/** The one definition of a rate (electron/common/rate.ts): messages in the last 10 whole seconds ÷ 10. */
import { describe, expect, it } from 'vitest';
import { RATE_TITLE, RATE_WINDOW_S, RateWindow } from '../../electron/common/rate.js';

const T0 = 1_700_000_000_000; // a whole second

describe('RateWindow', () => {
  it('reads a steady rate exactly once the window is full', () => {
    const w = new RateWindow();
    for (let ms = 0; ms < 20_000; ms += 10) w.add(T0 + ms); // 100 msg/s for 20 s
    expect(w.rate(T0 + 20_000)).toBe(100);
    expect(w.rate(T0 + 20_500)).toBe(100);
  });

  it('one message (a retained one replayed on subscribe, say) is 0.1/s, never 1.0/s', () => {
    const w = new RateWindow();
    w.add(T0 + 999);
    expect(w.rate(T0 + 999)).toBe(0); // the running second is not counted yet
    expect(w.rate(T0 + 1000)).toBeCloseTo(1 / RATE_WINDOW_S);
    expect(w.rate(T0 + 10_999)).toBeCloseTo(1 / RATE_WINDOW_S);
  });

  it('falls to 0 once the window has passed, and says it is empty', () => {
    const w = new RateWindow();
    for (let ms = 0; ms < 3000; ms += 100) w.add(T0 + ms);
    expect(w.rate(T0 + 3000)).toBe(3);
    expect(w.empty(T0 + 5000)).toBe(false);
    expect(w.rate(T0 + 13_000)).toBe(0);
    expect(w.empty(T0 + 13_000)).toBe(true);
  });

  it('slides: a burst leaves the window second by second', () => {
    const w = new RateWindow();
    for (let s = 0; s < 10; s++) for (let i = 0; i < s + 1; i++) w.add(T0 + s * 1000 + i); // 1, 2, … 10 per second
    expect(w.rate(T0 + 10_000)).toBe(5.5);
    expect(w.rate(T0 + 11_000)).toBe(5.4); // the second with 1 message left
    expect(w.rate(T0 + 19_000)).toBe(1); // only the last second (10 messages) is left
    expect(w.rate(T0 + 20_000)).toBe(0);
  });

  it('a long silence clears every bucket, and counting starts over', () => {
    const w = new RateWindow();
    for (let i = 0; i < 50; i++) w.add(T0 + i);
    w.add(T0 + 3_600_000);
    expect(w.rate(T0 + 3_601_000)).toBeCloseTo(0.1);
  });

  it('ignores a message older than the window (a clock that went back)', () => {
    const w = new RateWindow();
    w.add(T0 + 60_000);
    w.add(T0);
    expect(w.rate(T0 + 61_000)).toBeCloseTo(0.1);
  });

  it('the tooltip states the window', () => {
    expect(RATE_TITLE).toContain(`last ${RATE_WINDOW_S} s`);
  });
});
