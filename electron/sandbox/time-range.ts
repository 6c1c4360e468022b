/** Read windows: `time-range` (`30min`, `6hour`, `2day`, `1week`, `1month`, `today`, `yesterday`) and instants. */
const UNIT_MS: Record<string, number> = {
  min: 60_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

export interface Window {
  from: number;
  to: number;
}

/** null when the value is not a time range the sandbox understands. */
export function parseTimeRange(value: string, now = Date.now()): Window | null {
  const v = value.trim().toLowerCase();
  if (v === 'today' || v === 'yesterday') {
    const start = new Date(now);
    start.setHours(0, 0, 0, 0);
    const dayStart = start.getTime();
    return v === 'today' ? { from: dayStart, to: now } : { from: dayStart - 86_400_000, to: dayStart - 1 };
  }
  const match = /^(\d{1,6})\s*(min|minute|hour|day|week|month|year)s?$/.exec(v);
  if (!match) return null;
  const span = Number(match[1]) * UNIT_MS[match[2]!]!;
  return { from: now - span, to: now };
}

/** Milliseconds since the epoch, from an ISO date or a number of ms (or s, when it is too small for ms). */
export function parseInstant(value: string): number | null {
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n < 100_000_000_000 ? n * 1000 : n;
  }
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}
