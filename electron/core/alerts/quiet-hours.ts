/** Quiet hours in local time. A window may wrap midnight: 22:00–07:00 is quiet at 23:30 and at 06:59. */
import type { QuietHours } from './rule.js';

export function inQuietHours(quiet: QuietHours | undefined, now: number): boolean {
  if (!quiet) return false;
  const date = new Date(now);
  const minute = date.getHours() * 60 + date.getMinutes();
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  // start inclusive, end exclusive
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}
