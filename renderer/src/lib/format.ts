/** Display helpers: numbers with units, times relative with the exact time for a hover title. */

export function relativeTime(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** Short age for dense columns: "3 s", "4 min", "2 h". */
export function age(ms: number, now = Date.now()): string {
  return relativeTime(ms, now).replace(' ago', '');
}

// Built once: toLocaleString() with options builds a new formatter on every call, and the log formats
// two times per row, per frame, under a flood (measured in test/bench: long tasks while following).
const exactFormat = new Intl.DateTimeFormat([], { dateStyle: 'short', timeStyle: 'medium', hour12: false });
const clockFormat = new Intl.DateTimeFormat([], { timeStyle: 'medium', hour12: false });
const countFormat = new Intl.NumberFormat();

export function exactTime(ms: number): string {
  const d = new Date(ms);
  return `${exactFormat.format(d)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function clockTime(ms: number): string {
  const d = new Date(ms);
  return `${clockFormat.format(d)}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

// Units are chosen after rounding, so 1,048,575 B reads "1.0 MB", never "1024.0 KB".
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const kb = (n / 1024).toFixed(1);
  if (Number(kb) < 1024) return `${kb} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** A whole count with grouping, unabbreviated (tooltips): the shared formatter, not toLocaleString(). */
export function wholeCount(n: number): string {
  return countFormat.format(n);
}

export function count(n: number): string {
  if (n < 10_000) return countFormat.format(n);
  const k = (n / 1000).toFixed(n < 100_000 ? 1 : 0);
  if (Number(k) < 1000) return `${k} k`;
  return `${(n / 1_000_000).toFixed(1)} M`;
}

export function rate(perSecond: number): string {
  if (perSecond <= 0) return '';
  if (perSecond < 10) return `${perSecond.toFixed(1)}/s`;
  return `${count(Math.round(perSecond))}/s`;
}

export const statusWords: Record<string, string> = {
  idle: 'off',
  connecting: 'connecting',
  connected: 'connected',
  reconnecting: 'reconnecting',
  failed: 'failed',
  closed: 'off',
};

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
