import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { catchUp, leftOut } from '../../renderer/src/lib/catch-up.js';

describe('catchUp: a live view reads what batches left out back from the store', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reads once soon after a gap, then at most once a second however many gaps come', async () => {
    const read = vi.fn(() => Promise.resolve());
    const c = catchUp(read, 1000);
    c.gap();
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 10; i++) {
      c.gap(); // a flood: a gap every 75 ms
      await vi.advanceTimersByTimeAsync(75);
    }
    expect(read).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(300);
    expect(read).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(5000);
    expect(read).toHaveBeenCalledTimes(2); // no gap since: nothing more to read
  });

  it('a gap seen while a read is running gets a read of its own after it (it may hold what that one missed)', async () => {
    let finish: () => void = () => undefined;
    const read = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const c = catchUp(read, 1000);
    c.gap();
    await vi.advanceTimersByTimeAsync(0);
    c.gap();
    await vi.advanceTimersByTimeAsync(3000);
    expect(read).toHaveBeenCalledTimes(1); // one at a time
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('a failed read does not stop the next gap from reading; dispose stops everything', async () => {
    const read = vi.fn(() => Promise.reject(new Error('core restarting')));
    const c = catchUp(read, 1000);
    c.gap();
    await vi.advanceTimersByTimeAsync(0);
    c.gap();
    await vi.advanceTimersByTimeAsync(1000);
    expect(read).toHaveBeenCalledTimes(2);
    c.gap();
    c.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('leftOut: a batch that skipped or dropped messages, not a whole one', () => {
    expect(leftOut({ skipped: 0 })).toBe(false);
    expect(leftOut({ skipped: 0, dropped: 0 })).toBe(false);
    expect(leftOut({ skipped: 3 })).toBe(true);
    expect(leftOut({ skipped: 0, dropped: 12 })).toBe(true);
  });
});
