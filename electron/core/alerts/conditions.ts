/**
 * Conditions compiled once per rule. `test` runs on the ingest path: it is O(path depth) or one linear
 * regex scan over clipped text, keeps per-topic state (changed / crosses) in bounded maps, and never throws.
 */
import { RE2JS } from 're2js';
import { BoundedMap } from './bounded-map.js';
import { compileGlob } from './glob.js';
import { parsePath, readPath, type PathSegment } from '../../common/json-path.js';
import type { CompareOp, Condition } from './rule.js';
import { clipText, compileSafeRegex, MAX_MATCH_TEXT } from '../../common/safe-regex.js';
import type { AlertMessage } from './types.js';

/** Topics remembered per rule for changed/crosses; the oldest are forgotten past this. */
export const MAX_TOPICS_PER_RULE = 10_000;
/** Values compared by `changed` are compared on this many characters of their JSON. */
const MAX_CHANGED_KEY = 4096;

export interface Hit {
  /** what `{value}` shows */
  value: unknown;
}

export interface CompiledCondition {
  /** a Hit when the message satisfies the condition, else null */
  test(msg: AlertMessage): Hit | null;
}

const DATA_PATH: PathSegment[] = ['data'];

/** Throws only for a condition parseRule would have rejected. */
export function compileCondition(condition: Condition): CompiledCondition {
  switch (condition.kind) {
    case 'any':
      return { test: (msg) => ({ value: readMessagePath(msg, DATA_PATH) }) };
    case 'compare': {
      const path = segmentsOf(condition.path);
      return {
        test(msg) {
          const value = readMessagePath(msg, path);
          return compareValues(value, condition.op, condition.value) ? { value } : null;
        },
      };
    }
    case 'changed': {
      const path = segmentsOf(condition.path);
      const last = new BoundedMap<string, string>(MAX_TOPICS_PER_RULE);
      return {
        test(msg) {
          const value = readMessagePath(msg, path);
          if (value === undefined) return null;
          const key = valueKey(value);
          const previous = last.get(msg.topic);
          last.set(msg.topic, key);
          return previous !== undefined && previous !== key ? { value } : null;
        },
      };
    }
    case 'crosses': {
      const path = segmentsOf(condition.path);
      const { threshold, direction } = condition;
      const last = new BoundedMap<string, number>(MAX_TOPICS_PER_RULE);
      return {
        test(msg) {
          const value = readMessagePath(msg, path);
          const current = toNumber(value);
          if (current === null) return null;
          const previous = last.get(msg.topic);
          last.set(msg.topic, current);
          if (previous === undefined) return null;
          const wasAbove = previous >= threshold;
          const isAbove = current >= threshold;
          const up = !wasAbove && isAbove;
          const down = wasAbove && !isAbove;
          const fired = direction === 'up' ? up : direction === 'down' ? down : up || down;
          return fired ? { value } : null;
        },
      };
    }
    case 'contains': {
      const needle = condition.caseSensitive ? condition.text : condition.text.toLowerCase();
      return {
        test(msg) {
          if (msg.text === null) return null;
          const text = clipText(msg.text);
          const haystack = condition.caseSensitive ? text : text.toLowerCase();
          return haystack.includes(needle) ? { value: readMessagePath(msg, DATA_PATH) } : null;
        },
      };
    }
    case 'regex': {
      const compiled = compileSafeRegex(condition.pattern, condition.flags);
      // parseRule rejects bad patterns; this only guards rules that bypassed it
      if (!compiled.ok) throw new Error(`regex: ${compiled.error}`);
      const regex: RE2JS = compiled.regex;
      return {
        test(msg) {
          if (msg.text === null) return null;
          return regex.test(clipText(msg.text, MAX_MATCH_TEXT)) ? { value: readMessagePath(msg, DATA_PATH) } : null;
        },
      };
    }
    case 'silent':
      // silence is about messages that do not come: the engine's tick() handles it
      return { test: () => null };
    case 'presence': {
      const client = compileGlob(condition.clientId);
      const channel = compileGlob(condition.channel);
      const anyChannel = condition.channel === '*';
      return {
        test(msg) {
          const event = presenceEventOf(msg);
          if (!event || (condition.event !== 'either' && condition.event !== event.event)) return null;
          if (!client(event.clientid)) return null;
          if (!anyChannel && (event.channel === null || !channel(event.channel))) return null;
          return { value: describePresence(event) };
        },
      };
    }
  }
}

export interface PresenceFacts {
  event: 'connect' | 'disconnect';
  clientid: string;
  channel: string | null;
  protocol: string;
}

/** A presence message (alerts/presence-message.ts, or a stored signaling/connect|disconnect message) read back. */
export function presenceEventOf(msg: AlertMessage): PresenceFacts | null {
  const event = msg.topic === 'signaling/connect' ? 'connect' : msg.topic === 'signaling/disconnect' ? 'disconnect' : null;
  if (!event) return null;
  const data = readMessagePath(msg, DATA_PATH);
  if (!data || typeof data !== 'object') return null;
  const d = data as Record<string, unknown>;
  const clientid = typeof d.clientid === 'string' ? d.clientid : '';
  if (!clientid) return null;
  const channel = typeof d.channel === 'string' && d.channel !== '' && d.channel !== '*' ? d.channel : null;
  const protocol = typeof d.protocol === 'string' ? (d.protocol === 'socketio' ? 'ws' : d.protocol) : 'mqtt';
  return { event, clientid, channel, protocol };
}

function describePresence(e: PresenceFacts): string {
  const where = [e.channel ? `channel ${e.channel}` : null, e.protocol].filter(Boolean).join(', ');
  return `${e.clientid} ${e.event === 'connect' ? 'connected' : 'disconnected'} (${where})`;
}

/**
 * Reads a path from the message. `data…` also works on payloads without a Beebotte envelope: then
 * `data` is the whole JSON value (or the text, when the payload is not JSON).
 */
export function readMessagePath(msg: AlertMessage, segments: readonly PathSegment[]): unknown {
  if (msg.json !== undefined) {
    const direct = readPath(msg.json, segments);
    if (direct !== undefined) return direct;
  }
  if (segments[0] !== 'data' || hasOwnData(msg.json)) return undefined;
  const root = msg.json !== undefined ? msg.json : msg.text === null ? undefined : clipText(msg.text);
  return readPath(root, segments.slice(1));
}

export function compareValues(actual: unknown, op: CompareOp, expected: number | string | boolean): boolean {
  if (typeof expected === 'number') {
    const n = toNumber(actual);
    return n !== null && ordered(n, op, expected);
  }
  if (typeof expected === 'boolean') {
    const b = actual === true || actual === 'true' ? true : actual === false || actual === 'false' ? false : null;
    if (b === null) return false;
    return op === '=' ? b === expected : op === '!=' ? b !== expected : false;
  }
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
  return ordered(String(actual), op, expected);
}

function ordered<T extends number | string>(a: T, op: CompareOp, b: T): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    case '!=':
      return a !== b;
  }
}

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && value.length < 64) {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function valueKey(value: unknown): string {
  let key: string;
  try {
    key = typeof value === 'string' ? `s:${value}` : `j:${JSON.stringify(value)}`;
  } catch {
    key = `?:${String(value)}`;
  }
  return key.length > MAX_CHANGED_KEY ? key.slice(0, MAX_CHANGED_KEY) : key;
}

function hasOwnData(json: unknown): boolean {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && Object.prototype.hasOwnProperty.call(json, 'data');
}

/** Throws for a path parseRule would have rejected: the engine then skips the rule instead of guessing. */
function segmentsOf(path: string): PathSegment[] {
  const parsed = parsePath(path);
  if (!parsed.ok) throw new Error(`path: ${parsed.error}`);
  return parsed.segments;
}
