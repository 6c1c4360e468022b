/** MQTT topic filters in the renderer (live matching of the log filter); the core's store applies the same rule. */

/** Why a filter is not a valid MQTT filter, or null when it is. */
export function topicFilterError(filter: string): string | null {
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      return '"#" must be a whole level at the end, as in demo/#';
    }
    if (level.includes('+') && level !== '+') return '"+" must be a whole level, as in demo/+/temp';
  }
  return null;
}

/** A compiled matcher for one filter: split once, match many. */
export function topicMatcher(filter: string): (topic: string) => boolean {
  const want = filter.split('/');
  const wildStart = want[0] === '+' || want[0] === '#';
  return (topic: string) => {
    if (wildStart && topic.startsWith('$')) return false;
    const parts = topic.split('/');
    for (let i = 0; i < want.length; i++) {
      const level = want[i]!;
      if (level === '#') return true;
      if (i >= parts.length) return false;
      if (level !== '+' && level !== parts[i]) return false;
    }
    return parts.length === want.length;
  };
}

/** Splits a Beebotte topic into channel and resource; null when it is not exactly two levels. */
export function splitBeebotte(topic: string): { channel: string; resource: string } | null {
  const parts = topic.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { channel: parts[0], resource: parts[1] };
}
