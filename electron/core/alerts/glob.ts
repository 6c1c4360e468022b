/**
 * `*` (any run) and `?` (one character) patterns for client ids and channel names: compiled once, matched in
 * O(pattern × text) at worst with no backtracking blow-up (the classic two-pointer wildcard match), on text
 * clipped to MAX_GLOB_TEXT. Everything else is literal and case-sensitive, as MQTT client ids are.
 */
export const MAX_GLOB_TEXT = 1024;

export type GlobMatcher = (text: string) => boolean;

export function compileGlob(pattern: string): GlobMatcher {
  if (pattern === '*') return () => true;
  if (!pattern.includes('*') && !pattern.includes('?')) return (text) => text === pattern;
  const p = [...pattern];
  return (input) => {
    const t = [...input.slice(0, MAX_GLOB_TEXT)];
    let i = 0;
    let j = 0;
    let star = -1;
    let mark = 0;
    while (i < t.length) {
      if (j < p.length && (p[j] === '?' || p[j] === t[i])) {
        i++;
        j++;
      } else if (j < p.length && p[j] === '*') {
        star = j++;
        mark = i;
      } else if (star >= 0) {
        j = star + 1;
        i = ++mark;
      } else return false;
    }
    while (j < p.length && p[j] === '*') j++;
    return j === p.length;
  };
}
