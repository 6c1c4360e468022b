/** Small statistics and formatting helpers for the bench. */

export function median(values) {
  return percentile(values, 50);
}

export function percentile(values, p) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const rank = (p / 100) * (v.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return v[lo] + (v[hi] - v[lo]) * (rank - lo);
}

/**
 * Rate of a counter over [from, to] (ms since epoch) from its ticks ({at, n, cpuUs}): the ticks nearest
 * inside the window bound it. Also CPU µs per counted message over the same window.
 */
export function windowRate(ticks, from, to) {
  const inside = ticks.filter((t) => t.type === 'tick' && t.at >= from && t.at <= to);
  if (inside.length < 2) return { rate: NaN, cpuUsPerMsg: NaN, counted: 0, seconds: 0 };
  const a = inside[0];
  const b = inside[inside.length - 1];
  const seconds = (b.at - a.at) / 1000;
  const counted = b.n - a.n;
  return { rate: counted / seconds, cpuUsPerMsg: counted > 0 ? (b.cpuUs - a.cpuUs) / counted : NaN, counted, seconds };
}

export function round(x, digits = 0) {
  if (!Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A figure for the table: numbers with thousands separators, null as n/a. */
export function show(x, unit = '') {
  if (x === null || x === undefined || (typeof x === 'number' && !Number.isFinite(x))) return 'n/a';
  if (typeof x === 'number') return `${x.toLocaleString('en-US', { maximumFractionDigits: 2 })}${unit ? ` ${unit}` : ''}`;
  return String(x);
}

/** A plain text table: rows of [figure, value, goal, verdict, note]. */
export function table(rows, head = ['figure', 'value', 'goal', 'ok', 'how / note']) {
  const all = [head, ...rows.map((r) => r.map((c) => (c === undefined || c === null ? '' : String(c))))];
  const widths = head.map((_, i) => Math.min(i === head.length - 1 ? 90 : 40, Math.max(...all.map((r) => (r[i] ?? '').length))));
  const line = (r) => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(all[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...all.slice(1).map(line)].join('\n');
}
