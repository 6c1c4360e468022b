/**
 * Regexes from users run on the ingest path, so they go through re2js: linear-time matching, no
 * backtracking, so `(a+)+$` cannot hang. Inputs are clipped before matching.
 */
import { RE2JS } from 're2js';

/** Text longer than this is matched on its first MAX_MATCH_TEXT characters only. */
export const MAX_MATCH_TEXT = 64 * 1024;
export const MAX_PATTERN_LENGTH = 1024;
/** re2 program size bound: keeps even a huge-but-linear pattern cheap per message. */
const MAX_PROGRAM_SIZE = 5000;

const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

export type RegexCompile = { ok: true; regex: RE2JS } | { ok: false; error: string };

export function compileSafeRegex(pattern: string, flags = ''): RegexCompile {
  if (pattern.length === 0) return { ok: false, error: 'pattern is empty' };
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return { ok: false, error: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  }
  let bits = 0;
  for (const flag of flags) {
    const bit = FLAG_BITS[flag];
    if (bit === undefined) return { ok: false, error: `unsupported flag ${JSON.stringify(flag)} (use i, m or s)` };
    bits |= bit;
  }
  try {
    const regex = RE2JS.compile(pattern, bits);
    if (regex.programSize() > MAX_PROGRAM_SIZE) return { ok: false, error: 'pattern is too large; simplify it' };
    return { ok: true, regex };
  } catch (err) {
    return { ok: false, error: describeSyntaxError(err) };
  }
}

export function clipText(text: string, max = MAX_MATCH_TEXT): string {
  return text.length > max ? text.slice(0, max) : text;
}

/** re2 says "error parsing regexp: missing closing ): `a(b`"; users need the middle part. */
function describeSyntaxError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const trimmed = message.replace(/^error parsing regexp:\s*/, '');
  return trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed || 'invalid pattern';
}
