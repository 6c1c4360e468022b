/**
 * MQTT topic filters in SQL for the message log: a GLOB pattern SQLite can use to narrow rows by index, and
 * the exact rule as a REGEXP. Validation and the JS matcher are the common ones (electron/common).
 */
export { hasWildcards, topicFilterError, topicMatches } from '../../common/topic-filter.js';

/**
 * A GLOB pattern every topic matched by `filter` satisfies (a superset: `*` also crosses levels).
 * GLOB rather than LIKE because it is case-sensitive, as MQTT topics are, and can use the topic index.
 * Literal GLOB specials in topic names are bracketed so they match only themselves.
 */
export function filterToGlob(filter: string): string {
  const levels = filter.split('/');
  if (levels.at(-1) === '#') {
    // a/# must match "a" as well as "a/…": drop the separator and let * match the empty rest
    const head = levels.slice(0, -1).map(levelGlob).join('/');
    return `${head}*`;
  }
  return levels.map(levelGlob).join('/');
}

function levelGlob(level: string): string {
  return level === '+' ? '*' : level.replace(/[*?[]/g, (c) => `[${c}]`);
}

/**
 * The exact MQTT rule as a regular expression for SQLite's REGEXP (ext/misc/regexp.c, built into libsql):
 * `+` is `[^/]*`, a final `#` also matches the parent level, and a wildcard first level never matches a
 * `$` topic. That engine knows no `(?:…)` and few escapes, so literal ASCII punctuation goes as `\xHH`.
 */
export function filterToRegex(filter: string): string {
  const levels = filter.split('/');
  const tail = levels.at(-1) === '#' ? '(/.*)?' : '';
  const head = tail ? levels.slice(0, -1) : levels;
  if (head.length === 0) return '^[^$].*$|^$'; // "#" alone
  const body = head.map((level, i) => (level === '+' ? (i === 0 ? '([^$/][^/]*)?' : '[^/]*') : levelRegex(level))).join('/');
  return `^${body}${tail}$`;
}

function levelRegex(level: string): string {
  return level.replace(/[^\p{L}\p{N}_-]/gu, (c) => {
    const code = c.codePointAt(0)!;
    return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  });
}
