/** MQTT topic filters (`+` one level, `#` the rest), validated at save and compiled once for the hot path. */

export function validateTopicFilter(filter: string): string | null {
  if (filter.length === 0) return 'filter is empty';
  if (filter.includes('\u0000')) return 'filter contains a NUL character';
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return `# must be a whole level and the last one (level ${i + 1} is ${JSON.stringify(level)})`;
    }
    if (level.includes('+') && level !== '+') {
      return `+ must be a whole level (level ${i + 1} is ${JSON.stringify(level)})`;
    }
  }
  return null;
}

export type TopicMatcher = (topic: string) => boolean;

/** Assumes a validated filter. Exact filters compare strings; wildcard filters compare levels. */
export function compileTopicFilter(filter: string): TopicMatcher {
  if (filter === '#') return (topic) => !topic.startsWith('$');
  if (!filter.includes('+') && !filter.includes('#')) return (topic) => topic === filter;
  const levels = filter.split('/');
  const multi = levels[levels.length - 1] === '#';
  const fixed = multi ? levels.slice(0, -1) : levels;
  // per MQTT, a wildcard *first level* never matches $SYS-style topics; `$SYS/#` does match them
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
