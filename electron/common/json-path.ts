/**
 * A small, bounded JSON path: `data`, `data.temp`, `data.items[0].v`, `$.data.x`, `data["odd key"]`.
 * Parsed once at save time; reading is O(segments) and only follows own properties.
 */
export type PathSegment = string | number;

export const MAX_PATH_LENGTH = 256;
/** Depth bound: a path never walks deeper than this, whatever the payload looks like. */
export const MAX_PATH_SEGMENTS = 16;

export type PathParse = { ok: true; segments: PathSegment[] } | { ok: false; error: string };

const NAME = /[\w$-]/;

export function parsePath(path: string): PathParse {
  if (path.length === 0) return { ok: false, error: 'path is empty (use `data` or e.g. `data.temp`)' };
  if (path.length > MAX_PATH_LENGTH) return { ok: false, error: `path is longer than ${MAX_PATH_LENGTH} characters` };
  const segments: PathSegment[] = [];
  let i = 0;
  if (path[0] === '$') {
    i = 1;
    if (path[1] === '.') i = 2;
    else if (path.length > 1 && path[1] !== '[') return fail(`expected . or [ after $`, 1);
    if (i === 2 && path.length === 2) return fail('expected a name after $.', 2);
  }
  let expectName = i === 0 || path[i - 1] === '.';
  while (i < path.length) {
    const c = path[i]!;
    if (expectName) {
      const start = i;
      while (i < path.length && NAME.test(path[i]!)) i++;
      if (i === start) return fail(`expected a name but found ${quoteChar(c)}`, i);
      segments.push(path.slice(start, i));
      expectName = false;
    } else if (c === '.') {
      i++;
      if (i === path.length) return fail('path ends with .', i);
      expectName = true;
    } else if (c === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) return fail('missing ]', i);
      const inner = path.slice(i + 1, close);
      const key = bracketKey(inner);
      if (key === null) return fail(`bad index [${inner}] (use [0] or ["key"])`, i);
      segments.push(key);
      i = close + 1;
    } else {
      return fail(`unexpected ${quoteChar(c)}`, i);
    }
    if (segments.length > MAX_PATH_SEGMENTS) return { ok: false, error: `path is deeper than ${MAX_PATH_SEGMENTS} levels` };
  }
  return { ok: true, segments };
}

/** Reads a parsed path from a value; undefined when any step is missing. Never throws. */
export function readPath(root: unknown, segments: readonly PathSegment[]): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) return undefined;
      current = current[segment];
    } else {
      if (!Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return current;
}

function bracketKey(inner: string): PathSegment | null {
  if (/^\d{1,9}$/.test(inner)) return Number(inner);
  const quoted = /^"([^"]*)"$/.exec(inner) ?? /^'([^']*)'$/.exec(inner);
  return quoted && quoted[1]!.length > 0 ? quoted[1]! : null;
}

function fail(what: string, position: number): PathParse {
  return { ok: false, error: `${what} at position ${position}` };
}

function quoteChar(c: string): string {
  return JSON.stringify(c);
}
