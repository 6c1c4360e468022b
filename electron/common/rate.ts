/**
 * The one definition of a message rate, wherever one is shown (tree, topic detail, level table, status bar):
 * the live messages received in the last RATE_WINDOW_S whole seconds, divided by RATE_WINDOW_S. Retained
 * messages a broker replays on subscribe are not traffic and are not counted (one retained message is not
 * "1.0/s"). Whole seconds: a steady rate reads exactly, and the figure changes at most once a second.
 */
export const RATE_WINDOW_S = 10;

/** The tooltip that states the definition next to every rate. */
export const RATE_TITLE = `messages received in the last ${RATE_WINDOW_S} s ÷ ${RATE_WINDOW_S} (retained messages replayed on subscribe are not counted)`;

/** the running second and the RATE_WINDOW_S whole seconds before it */
const BUCKETS = RATE_WINDOW_S + 1;

/** Arrivals in whole-second buckets over the last RATE_WINDOW_S seconds; O(1) per message. */
export class RateWindow {
  /** buckets[s % BUCKETS] counts the arrivals of second s: the running second and the RATE_WINDOW_S before it */
  private readonly buckets: number[] = new Array<number>(BUCKETS).fill(0);
  /** the newest second a bucket was cleared for */
  private second = -Infinity;
  private total = 0;

  /** One message received at `at` (ms since epoch). */
  add(at: number): void {
    const second = Math.floor(at / 1000);
    this.advance(second);
    if (second <= this.second - BUCKETS) return; // older than the window (a clock that went back)
    this.buckets[mod(second)]! += 1;
    this.total += 1;
  }

  /** Messages per second at `now`: the last RATE_WINDOW_S whole seconds (the running one not yet counted). */
  rate(now: number): number {
    this.advance(Math.floor(now / 1000));
    return (this.total - this.buckets[mod(this.second)]!) / RATE_WINDOW_S;
  }

  /** Whether nothing is left in the window at `now` (the rate is 0 and stays 0 until the next message). */
  empty(now: number): boolean {
    this.advance(Math.floor(now / 1000));
    return this.total === 0;
  }

  /** Clears the buckets of the seconds that left the window; a clock that went back clears nothing. */
  private advance(second: number): void {
    if (second <= this.second) return;
    if (this.total === 0) {
      this.second = second; // nothing to clear (also the very first message)
      return;
    }
    const steps = Math.min(BUCKETS, second - this.second);
    for (let i = 1; i <= steps; i++) {
      const b = mod(this.second + i);
      this.total -= this.buckets[b]!;
      this.buckets[b] = 0;
    }
    this.second = second;
  }
}

function mod(second: number): number {
  return ((second % BUCKETS) + BUCKETS) % BUCKETS;
}
