/**
 * Fuzzy matching for the command palette: each word of the query must be found in the text, as a
 * substring (best, more so at a word start) or as letters in order (`dmtmp` finds demo/temperature).
 * Words may come in any order. Pure and allocation-light: the palette runs it over every known topic
 * on each keystroke.
 */
export interface FuzzyMatch {
  score: number;
  /** indexes into the text of the matched characters, ascending */
  positions: number[];
}

const SEPARATORS = new Set(' \t/_-.:()[]—,+#$'.split(''));

/** a level or word starts here: after a separator or at a lower→upper case change (camelCase) */
function boundary(text: string, i: number): boolean {
  if (i === 0) return true;
  const prev = text[i - 1]!;
  if (SEPARATORS.has(prev)) return true;
  const c = text[i]!;
  return prev >= 'a' && prev <= 'z' && c >= 'A' && c <= 'Z';
}

/** the letters of the query, spaces aside, in order in the text: the cheap test most texts fail */
function inOrder(lower: string, letters: string): boolean {
  let at = -1;
  for (const c of letters) if ((at = lower.indexOf(c, at + 1)) < 0) return false;
  return true;
}

/** Letters of `word` in order in `lower`, starting from each plausible first letter; the best alignment. */
function subsequence(text: string, lower: string, word: string): FuzzyMatch | null {
  let best: FuzzyMatch | null = null;
  let from = lower.indexOf(word[0]!);
  for (let tries = 0; from >= 0 && tries < 16; tries++, from = lower.indexOf(word[0]!, from + 1)) {
    const positions = [from];
    let score = boundary(text, from) ? 8 : 1;
    let at = from;
    for (let k = 1; k < word.length; k++) {
      const next = lower.indexOf(word[k]!, at + 1);
      if (next < 0) return best;
      if (next === at + 1) score += 5;
      else score += (boundary(text, next) ? 6 : 1) - Math.min(3, next - at - 1);
      positions.push(next);
      at = next;
    }
    if (!best || score > best.score) best = { score, positions };
  }
  return best;
}

function matchWord(text: string, lower: string, word: string): FuzzyMatch | null {
  // a substring: prefer one at a word start
  let first = -1;
  for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
    if (first < 0) first = at;
    if (boundary(text, at)) {
      first = at;
      break;
    }
  }
  if (first >= 0) {
    const positions = Array.from({ length: word.length }, (_, k) => first + k);
    return { score: 20 + word.length * 6 + (boundary(text, first) ? 15 : 0), positions };
  }
  return subsequence(text, lower, word);
}

/** A query split once for many texts (the palette matches it against every topic). */
export interface FuzzyQuery {
  words: string[];
  /** the words' letters when they come in order, for a quick reject */
  letters: string;
}

export function fuzzyQuery(query: string): FuzzyQuery {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return { words, letters: words.length === 1 ? words[0]! : '' };
}

/**
 * null when some word of the query is not in the text; a higher score is a better match. `lower` is the
 * text lower-cased when the caller has it already.
 */
export function fuzzyMatch(query: string | FuzzyQuery, text: string, lower = text.toLowerCase()): FuzzyMatch | null {
  const { words, letters } = typeof query === 'string' ? fuzzyQuery(query) : query;
  if (!words.length) return { score: 0, positions: [] };
  if (letters && !inOrder(lower, letters)) return null;
  let score = 0;
  const positions = new Set<number>();
  for (const word of words) {
    const m = matchWord(text, lower, word);
    if (!m) return null;
    score += m.score;
    for (const p of m.positions) positions.add(p);
  }
  // among equals, the shorter text is the closer match
  score -= text.length / 100;
  return { score, positions: [...positions].sort((a, b) => a - b) };
}

/** The text cut into runs of matched and unmatched characters, for highlighting. */
export function highlightRuns(text: string, positions: readonly number[]): { text: string; hit: boolean }[] {
  const hits = new Set(positions);
  const runs: { text: string; hit: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const hit = hits.has(i);
    const last = runs[runs.length - 1];
    if (last && last.hit === hit) last.text += text[i];
    else runs.push({ text: text[i]!, hit });
  }
  return runs;
}

/** The `limit` best-scoring items, best first; one pass, keeps only the leaders (the palette ranks 50,000 topics). */
export function topMatches<T>(
  items: Iterable<T>,
  match: (item: T) => FuzzyMatch | null,
  limit: number,
): { item: T; match: FuzzyMatch }[] {
  const best: { item: T; match: FuzzyMatch }[] = [];
  for (const item of items) {
    const m = match(item);
    if (!m || (best.length >= limit && m.score <= best[best.length - 1]!.match.score)) continue;
    let at = best.length;
    while (at > 0 && best[at - 1]!.match.score < m.score) at--;
    best.splice(at, 0, { item, match: m });
    if (best.length > limit) best.pop();
  }
  return best;
}
