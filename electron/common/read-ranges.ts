/**
 * What a Beebotte read may ask for: its `time-range` (a span back from now, or a named calendar period), its
 * `source` (raw records or hourly / daily statistics) and the bounds of `limit` and `sample-rate`. One list for
 * the contract, the CLI and the History explorer.
 */

/** Named calendar periods (Beebotte's read docs; weeks start on Monday, local time). */
export const NAMED_PERIODS = [
  'today',
  'yesterday',
  'current-week',
  'last-week',
  'current-month',
  'last-month',
  'current-year',
  'ytd',
  'last-year',
] as const;

/** The ranges a picker offers, in order, with how they read. Spans are back from now. */
export const READ_RANGES: readonly { value: string; label: string }[] = [
  { value: '1hour', label: 'Last hour' },
  { value: '6hour', label: 'Last 6 hours' },
  { value: '1day', label: 'Last 24 hours' },
  { value: 'today', label: 'Today' },
  { value: 'yesterday', label: 'Yesterday' },
  { value: '1week', label: 'Last 7 days' },
  { value: 'current-week', label: 'This week' },
  { value: 'last-week', label: 'Last week' },
  { value: 'current-month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
  { value: 'ytd', label: 'Year to date' },
  { value: 'last-year', label: 'Last year' },
];

export const READ_SOURCES = ['raw', 'hour-stats', 'day-stats'] as const;
export type ReadSource = (typeof READ_SOURCES)[number];

export const READ_LIMIT_MAX = 50_000;
export const SAMPLE_RATE_MAX = 10_000;

const SPAN = /^[1-9]\d{0,3}(min|minute|hour|day|week|month|year)s?$/;

/** null when `value` is a time range Beebotte reads, else what is wrong with it. */
export function timeRangeError(value: string): string | null {
  if (SPAN.test(value) || (NAMED_PERIODS as readonly string[]).includes(value)) return null;
  return `time range "${value.slice(0, 40)}" is not one Beebotte reads: a span such as 30min, 6hour, 2day, 1week, 1month, or one of ${NAMED_PERIODS.join(', ')}`;
}

/** An instant typed by a person or a script: epoch milliseconds, or an ISO date. null when it is neither. */
export function parseInstant(text: string): number | null {
  const t = text.trim();
  if (/^\d{1,15}$/.test(t)) return Number(t);
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}
