/**
 * Decoded CBOR / MessagePack / Protobuf values made plain JSON (what the explorer, charts, alert rules and exports
 * read): bytes as base64, a bigint as a number when exact (else its decimal text), a Map as an object, a Date as
 * ISO text. Depth and width are bounded: a hostile payload cannot make this walk forever.
 */
const MAX_DEPTH = 64;
const MAX_KEYS = 10_000;

export function toJsonSafe(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value === undefined) return null;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value)) return value.slice(0, MAX_KEYS).map((v) => toJsonSafe(v, depth + 1));
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const [k, v] of value) {
      if (n++ >= MAX_KEYS) break;
      out[typeof k === 'string' ? k : JSON.stringify(toJsonSafe(k, depth + 1))] = toJsonSafe(v, depth + 1);
    }
    return out;
  }
  if (value instanceof Set) return toJsonSafe([...value], depth);
  if (typeof value === 'object') {
    // a Long (protobufjs without long conversion) or a CBOR tag: its own JSON form when it has one
    const maybe = value as { toJSON?: () => unknown; tag?: unknown; value?: unknown };
    if (typeof maybe.toJSON === 'function') return toJsonSafe(maybe.toJSON(), depth + 1);
    const out: Record<string, unknown> = {};
    let n = 0;
    for (const key of Object.keys(value)) {
      if (n++ >= MAX_KEYS) break;
      out[key] = toJsonSafe((value as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  }
  return String(value);
}
