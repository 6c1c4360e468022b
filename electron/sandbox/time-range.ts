/**
 * Read windows: `time-range` — a span back from now (`30min`, `6hour`, `2day`, `1week`, `1month`, `1year`) or a
 * named calendar period (`today`, `yesterday`, `current-week`, `last-week`, `current-month`, `last-month`,
 * `current-year` / `ytd`, `last-year`; weeks start on Monday; local time, as `today` always was) — and instants.
 */
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
  const named = namedPeriod(v, now);
  if (named) return named;
  const match = /^(\d{1,6})\s*(min|minute|hour|day|week|month|year)s?$/.exec(v);
  if (!match) return null;
  const span = Number(match[1]) * UNIT_MS[match[2]!]!;
  return { from: now - span, to: now };
}

function namedPeriod(name: string, now: number): Window | null {
  const today = new Date(now);
  today.setHours(0, 0, 0, 0);
  const y = today.getFullYear();
  const m = today.getMonth();
  const d = today.getDate();
  const monday = d - ((today.getDay() + 6) % 7);
  const at = (year: number, month: number, day: number) => new Date(year, month, day).getTime();
  const current = (from: number): Window => ({ from, to: now });
  const past = (from: number, until: number): Window => ({ from, to: until - 1 });
  switch (name) {
    case 'today':
      return current(today.getTime());
    case 'yesterday':
      return past(at(y, m, d - 1), today.getTime());
    case 'current-week':
      return current(at(y, m, monday));
    case 'last-week':
      return past(at(y, m, monday - 7), at(y, m, monday));
    case 'current-month':
      return current(at(y, m, 1));
    case 'last-month':
      return past(at(y, m - 1, 1), at(y, m, 1));
    case 'current-year':
    case 'ytd':
      return current(at(y, 0, 1));
    case 'last-year':
      return past(at(y - 1, 0, 1), at(y, 0, 1));
    default:
      return null;
  }
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
