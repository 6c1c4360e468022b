/**
 * The chart's time axis in the desk's own clock (24-hour, as the History list and the log show times), not
 * uPlot's default (":57.200" under "12/3/26 11:57pm"). The precision follows the tick spacing: fractions of a
 * second only when ticks are less than a second apart, no seconds when they are minutes apart, days when
 * they are days apart. The date is added under the first tick and wherever the day changes.
 */
const dayFormat = new Intl.DateTimeFormat([], { day: 'numeric', month: 'short' });
const two = (n: number): string => String(n).padStart(2, '0');

/** `splits`: tick times in seconds since the epoch (uPlot's time scale); `incr`: their spacing in seconds. */
export function timeTicks(splits: number[], incr: number): string[] {
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(Math.round(s * 1000));
    const day = dayFormat.format(d);
    if (incr >= 86_400) return day;
    let time = `${two(d.getHours())}:${two(d.getMinutes())}`;
    if (incr < 60) time += `:${two(d.getSeconds())}`;
    if (incr < 1) {
      const digits = incr >= 0.1 ? 1 : incr >= 0.01 ? 2 : 3;
      time += `.${String(d.getMilliseconds()).padStart(3, '0').slice(0, digits)}`;
    }
    const newDay = day !== lastDay;
    lastDay = day;
    return newDay ? `${time}\n${day}` : time;
  });
}
