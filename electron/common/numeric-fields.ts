/**
 * Numbers in a decoded payload, for charts: which fields are numeric (the field picker), which one to draw when
 * the user picked none, and the number at a path. One definition for the core (history series) and the desk
 * (live points). A path is json-path.ts's syntax; '' is the payload itself (a bare number).
 */
import { parsePath, readPath, type PathSegment } from './json-path.js';

const MAX_DEPTH = 8;
const SIMPLE_KEY = /^[\w$-]+$/;

/** A number for charts: a finite number, a boolean (1/0), or short numeric text ("21.5"). */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.length > 0 && v.length < 40 && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v.trim())) {
    return Number(v);
  }
  return null;
}

/** Paths of the numeric leaves of a value, depth first in key order, at most `max`. */
export function numericFields(value: unknown, max = 50): string[] {
  const out: string[] = [];
  if (toNumber(value) !== null && typeof value !== 'boolean') return [''];
  const walk = (node: unknown, path: string, depth: number): void => {
    if (out.length >= max || depth > MAX_DEPTH || node === null || typeof node !== 'object') return;
    const entries: [PathSegment, unknown][] = Array.isArray(node)
      ? node.slice(0, 100).map((v, i) => [i, v])
      : Object.keys(node)
          .slice(0, 200)
          .map((k) => [k, (node as Record<string, unknown>)[k]]);
    for (const [key, child] of entries) {
      if (out.length >= max) return;
      const childPath = joinPath(path, key);
      if (typeof child === 'number' && Number.isFinite(child)) out.push(childPath);
      else walk(child, childPath, depth + 1);
    }
  };
  walk(value, '', 0);
  return out;
}

/** The field a chart draws when none was picked: the payload when it is a number, else its first numeric field. */
export function defaultNumericPath(value: unknown): string | null {
  // Beebotte's {"data": …} charts its data, also when it is "42" or true (numericFields takes numbers only)
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'data' in value) {
    if (toNumber((value as { data: unknown }).data) !== null) return 'data';
  }
  return numericFields(value, 1)[0] ?? null;
}

/** The number at `path` ('' = the value itself), or null. Never throws. */
export function numberAt(value: unknown, path: string): number | null {
  if (path === '') return toNumber(value);
  const parsed = parsePath(path);
  return parsed.ok ? toNumber(readPath(value, parsed.segments)) : null;
}

/** A path checked for the picker: null when fine, else what is wrong. */
export function numericPathError(path: string): string | null {
  if (path === '') return null;
  const parsed = parsePath(path);
  return parsed.ok ? null : parsed.error;
}

function joinPath(path: string, key: PathSegment): string {
  // json-path starts with a name or `$`: a bracket at the root needs the `$`
  const base = path === '' ? '$' : path;
  if (typeof key === 'number') return `${base}[${key}]`;
  if (SIMPLE_KEY.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}
