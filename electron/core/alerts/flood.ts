/**
 * Flood control: at most `maxPerWindow` notifications per window (a minute) across all rules. The rest
 * are held back and counted by topic filter; when the window ends they become one summary
 * ("12 more alerts from home/#").
 */
export interface HeldSummary {
  count: number;
  /** the filter that held back the most alerts */
  filter: string;
  ruleId: string;
  ruleName: string;
  /** how many other filters also had alerts held back */
  otherFilters: number;
}

interface Held {
  count: number;
  ruleId: string;
  ruleName: string;
}

export class FloodGate {
  private windowStart: number | null = null;
  private shown = 0;
  private held = new Map<string, Held>();
  private heldTotal = 0;

  constructor(
    private max: number,
    readonly windowMs = 60_000,
  ) {}

  get maxPerWindow(): number {
    return this.max;
  }

  /** A new limit applies from the next admit; the current window and its held alerts are kept. */
  setMaxPerWindow(max: number): void {
    this.max = max;
  }

  /** true: show this alert now. false: it was counted into the current window's summary. */
  admit(now: number, filter: string, ruleId: string, ruleName: string): boolean {
    if (this.windowStart === null || now >= this.windowStart + this.windowMs) {
      // a window that ended with held alerts must be flushed first; callers flush before admitting
      this.windowStart = now;
      this.reset();
    }
    if (this.shown < this.max) {
      this.shown++;
      return true;
    }
    this.heldTotal++;
    const entry = this.held.get(filter);
    if (entry) entry.count++;
    // bounded: past 1000 distinct filters only the total grows
    else if (this.held.size < 1000) this.held.set(filter, { count: 1, ruleId, ruleName });
    return false;
  }

  /** The summary of a window that has ended by `now` (once), or null. */
  flush(now: number): HeldSummary | null {
    if (this.windowStart === null || now < this.windowStart + this.windowMs) return null;
    let top: [string, Held] | null = null;
    for (const entry of this.held) if (!top || entry[1].count > top[1].count) top = entry;
    const count = this.heldTotal;
    const otherFilters = Math.max(0, this.held.size - 1);
    this.windowStart = null;
    this.reset();
    if (!top) return null;
    return { count, filter: top[0], ruleId: top[1].ruleId, ruleName: top[1].ruleName, otherFilters };
  }

  private reset(): void {
    this.shown = 0;
    this.heldTotal = 0;
    this.held.clear();
  }
}
