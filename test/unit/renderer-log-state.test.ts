/**
 * The log's window under a flood (renderer/src/lib/log.svelte.ts): batches that left messages out make it read its
 * newest page back from the store, and that read must never cost the user what they were looking at — rows the
 * store does not hold yet, a paused window, rows they scrolled down to, a page of older rows asked for meanwhile.
 * The store is a stand-in answering messages.query from an array, on demand (`hold`) when a test needs a read
 * to be out while the user acts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MessageDTO } from '../../electron/api.js';

const store = vi.hoisted(() => ({
  rows: [] as { id: number; topic: string }[],
  hold: false,
  waiting: [] as (() => void)[],
}));

vi.mock('../../renderer/src/lib/api', () => ({
  api: {
    call: (method: string, params: { topicFilter?: string; beforeId?: number; limit?: number }) => {
      if (method !== 'messages.query') throw new Error(`unexpected ${method}`);
      const answer = () =>
        store.rows
          .filter((m) => (!params.topicFilter || m.topic === params.topicFilter) && (params.beforeId === undefined || m.id < params.beforeId))
          .sort((a, b) => b.id - a.id)
          .slice(0, params.limit ?? 200)
          .map((m) => msg(m.id, m.topic));
      if (!store.hold) return Promise.resolve(answer());
      return new Promise((resolve) => store.waiting.push(() => resolve(answer())));
    },
    on: () => () => undefined,
  },
}));

function msg(id: number, topic = 't'): MessageDTO {
  return { id, profileId: 'p', topic, receivedAt: 0, qos: 0, retain: false, size: 1, kind: 'text', preview: 'x', clipped: false };
}
const ids = (rows: { id: number }[]) => rows.map((m) => m.id);
const stored = (from: number, to: number, topic = 't') => {
  for (let id = from; id <= to; id++) store.rows.push({ id, topic });
};
/** answers the oldest read still out */
const release = () => store.waiting.shift()!();

type Log = (typeof import('../../renderer/src/lib/log.svelte.js'))['log'];
let log: Log;

beforeEach(async () => {
  vi.useFakeTimers();
  vi.stubGlobal('requestAnimationFrame', (cb: () => void) => setTimeout(cb, 16));
  store.rows = [];
  store.hold = false;
  store.waiting = [];
  vi.resetModules();
  ({ log } = await import('../../renderer/src/lib/log.svelte.js'));
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** a batch: the live rows it carries, and how many it left out */
async function batch(live: number[], skipped = 0): Promise<void> {
  log.ingest({ messages: live.map((id) => msg(id)), skipped, rate: 0 });
  await vi.advanceTimersByTimeAsync(600); // the frame that shows it, and the catch-up's turn
}

describe('the log window under a flood', () => {
  it('reads back what batches left out: whole, newest first, nothing twice', async () => {
    stored(1, 10);
    await log.reload();
    stored(11, 20); // 11–19 were left out of the batch, 20 came live
    await batch([20], 9);
    expect(ids(log.messages)).toEqual([20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('keeps the live rows the store does not hold yet, and the ones it will never hold (negative ids), within the window', async () => {
    stored(1, 1000);
    await log.reload();
    await batch([-1, -2]); // the store failed to keep these two
    // the writer lags: 2,000 rows shown live, not stored yet; the catch-up reads the store's older newest page
    await batch(Array.from({ length: 2000 }, (_, i) => 5001 + i), 5);
    expect(log.messages.length).toBeLessThanOrEqual(2000);
    expect(ids(log.messages)[0]).toBe(7000);
    await batch([], 1);
    expect(ids(log.messages)).toContain(7000);
    const small = [-1, -2];
    store.rows = [];
    stored(1, 10);
    await log.reload();
    await batch(small);
    await batch([], 3);
    for (const id of small) expect(ids(log.messages)).toContain(id);
  });

  it('a pause while the catch-up is out keeps the paused window and what arrived during the pause', async () => {
    stored(1, 10);
    await log.reload();
    store.hold = true;
    await batch([], 2); // the catch-up's read goes out
    log.setPaused(true);
    await batch([11, 12]); // arrive while paused, not stored yet
    expect(log.buffered).toBe(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(ids(log.messages)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    store.hold = false;
    log.setPaused(false);
    await vi.advanceTimersByTimeAsync(600);
    expect(ids(log.messages).slice(0, 2)).toEqual([12, 11]);
  });

  it('an older page asked for while the catch-up is out is not appended to the window that replaced it (no hole)', async () => {
    stored(1, 600);
    await log.reload(); // 600…401
    stored(601, 1000); // left out of the batches, in the store
    store.hold = true;
    await batch([], 400);
    const older = log.loadOlder(); // the user reached the bottom: 400…201 of the old window
    release(); // the catch-up lands first: 1000…801
    release();
    await older;
    const window = ids(log.messages);
    const top = window[0]!;
    expect(window).toEqual(Array.from({ length: window.length }, (_, i) => top - i)); // contiguous
  });

  it('does not cut the window of a user reading down it, nor of one paging older messages', async () => {
    stored(1, 3000);
    await log.reload();
    for (let i = 0; i < 9; i++) await log.loadOlder();
    expect(log.messages.length).toBe(2000);
    log.follow = false; // scrolled down (LogView does this)
    await batch([], 5);
    expect(log.messages.length).toBe(2000);
  });
});
