/** The command palette's recent items: ids of what was run, newest first, kept in localStorage. */
const KEY = 'apiary.palette.recent';
export const MAX_RECENT = 8;

/** What was stored, if it is a list of ids; anything else is no history. */
export function parseRecent(stored: string | null): string[] {
  try {
    const list: unknown = stored ? JSON.parse(stored) : [];
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

/** `id` first, once; the oldest fall off. */
export function pushRecent(list: readonly string[], id: string, max = MAX_RECENT): string[] {
  return [id, ...list.filter((x) => x !== id)].slice(0, max);
}

export function readRecent(): string[] {
  try {
    return parseRecent(localStorage.getItem(KEY));
  } catch {
    return [];
  }
}

export function rememberRecent(id: string): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(pushRecent(readRecent(), id)));
  } catch {
    // storage disabled: no history, the palette still works
  }
}
