/**
 * MQTT topic filters (`+` one level, `#` the rest) for the message log: validation, an exact matcher,
 * and a GLOB pattern SQLite can use to narrow rows by index before the exact matcher decides.
 */

/** Why a filter is not a valid MQTT filter, or null when it is. */
export function topicFilterError(filter: string): string | null {
  if (filter.length === 0) return 'a topic filter cannot be empty';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain a NUL character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `"#" must be a whole level at the end of the filter (as in demo/#), not in "${filter}"`;
    }
    if (level.includes('+') && level !== '+') {
      return `"+" must be a whole level (as in demo/+/temp), not in "${filter}"`;
    }
  }
  return null;
}

export function hasWildcards(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

let cachedFilter = '';
let cachedLevels: string[] = [];

/** Exact MQTT matching, including the rule that wildcards at the start never match `$` topics. */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter !== cachedFilter) {
    cachedLevels = filter.split('/');
    cachedFilter = filter;
  }
  const levels = cachedLevels;
  if (topic.startsWith('$') && (levels[0] === '+' || levels[0] === '#')) return false;
  const parts = topic.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === '#') return true; // also matches the parent itself: a/# matches a
    if (i >= parts.length) return false;
    if (level !== '+' && level !== parts[i]) return false;
  }
  return parts.length === levels.length;
}

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
