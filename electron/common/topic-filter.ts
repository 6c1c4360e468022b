/**
 * MQTT topic filters (`+` one level, `#` the rest): the one validation and the one matcher, used by the
 * message log, alert rules, the sandbox and the renderer alike.
 */

export type TopicMatcher = (topic: string) => boolean;

/** Why a filter is not a valid MQTT filter, or null when it is. */
export function topicFilterError(filter: string): string | null {
  if (filter.length === 0) return 'a topic filter cannot be empty';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain a NUL character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `"#" must be a whole level at the end of the filter (as in demo/#), not in "${clip(filter)}"`;
    }
    if (level.includes('+') && level !== '+') {
      return `"+" must be a whole level (as in demo/+/temp), not in "${clip(filter)}"`;
    }
  }
  return null;
}

export function hasWildcards(filter: string): boolean {
  return filter.includes('+') || filter.includes('#');
}

/**
 * Compiles a valid filter once for the hot path: exact filters compare strings, wildcard filters compare
 * levels. Per MQTT, a wildcard *first level* never matches `$SYS`-style topics; `$SYS/#` does match them.
 * A final `#` also matches its parent level (`a/#` matches `a`).
 */
export function compileTopicFilter(filter: string): TopicMatcher {
  if (filter === '#') return (topic) => !topic.startsWith('$');
  if (!hasWildcards(filter)) return (topic) => topic === filter;
  const levels = filter.split('/');
  const multi = levels[levels.length - 1] === '#';
  const fixed = multi ? levels.slice(0, -1) : levels;
  const wildFirst = levels[0] === '+' || levels[0] === '#';
  return (topic) => {
    if (wildFirst && topic.startsWith('$')) return false;
    const parts = topic.split('/');
    if (multi ? parts.length < fixed.length : parts.length !== fixed.length) return false;
    for (let i = 0; i < fixed.length; i++) {
      const want = fixed[i]!;
      if (want !== '+' && want !== parts[i]) return false;
    }
    return true;
  };
}

let lastFilter: string | null = null;
let lastMatcher: TopicMatcher = () => false;

/** One-off matching; callers that test one filter against many topics in a row reuse its compiled form. */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter !== lastFilter) {
    lastMatcher = compileTopicFilter(filter);
    lastFilter = filter;
  }
  return lastMatcher(topic);
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
