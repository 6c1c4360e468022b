/**
 * A written value against its resource's vtype, as Beebotte's "data types" page describes them: Beebotte
 * checks persistent messages (writes) and answers 400/1404 on a mismatch. Where the page is vague the
 * official SDKs decide (bbt_node's server_stats example writes `cpu` and `memory` as objects; its type list
 * calls temperature, humidity and body_temp numeric "unit types"). Numeric types also take numeric strings, as
 * devices send them (the cloud's handling of those is not documented). See README.md, "Value types".
 */
import type { Vtype } from './model.js';

/** Why the value does not fit the vtype (for the 1404 message), or null when it does. */
export function vtypeMismatch(vtype: Vtype, data: unknown): string | null {
  switch (vtype) {
    case 'any':
    case 'object': // "equivalent to any" (docs)
    case 'function': // "reserved for future use" (docs): nothing to check
      return null;
    case 'number':
    case 'decimal':
    case 'temperature':
    case 'humidity':
    case 'body_temp':
      return numeric(data) === null ? 'expects a number' : null;
    case 'rate':
      return inRange(data, 0, 1) ? null : 'expects a number from 0 to 1';
    case 'percentage':
      return inRange(data, 0, 100) ? null : 'expects a number from 0 to 100';
    case 'string':
      return typeof data === 'string' ? null : 'expects a string';
    case 'alphabetic':
      return typeof data === 'string' && /^[A-Za-z]+$/.test(data) ? null : 'expects letters only';
    case 'alphanumeric':
      return typeof data === 'string' && /^[A-Za-z0-9]+$/.test(data) ? null : 'expects letters and digits only';
    case 'email':
      return typeof data === 'string' && EMAIL.test(data) ? null : 'expects an email address';
    case 'boolean':
      return typeof data === 'boolean' ? null : 'expects true or false';
    case 'array':
      return Array.isArray(data) ? null : 'expects an array';
    case 'gps':
      return gpsMismatch(data);
    case 'cpu':
      return fieldsMismatch(data, CPU_FIELDS, (v) => inRange(v, 0, 100), 'a percentage');
    case 'memory':
    case 'disk':
    case 'netif':
      return fieldsMismatch(data, null, (v) => numeric(v) !== null && numeric(v)! >= 0, 'a number of 0 or more');
  }
}

/** One @, no spaces, a dot in the domain: what a form would accept, not RFC 5322. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
/** The fields the docs list for cpu (and bbt_node's example sends); others are allowed. */
const CPU_FIELDS = ['user', 'sys', 'nice', 'idle', 'irq'];

function numeric(data: unknown): number | null {
  if (typeof data === 'number') return Number.isFinite(data) ? data : null;
  if (typeof data !== 'string' || data.trim() === '') return null;
  const n = Number(data);
  return Number.isFinite(n) ? n : null;
}

function inRange(data: unknown, min: number, max: number): boolean {
  const n = numeric(data);
  return n !== null && n >= min && n <= max;
}

function isObject(data: unknown): data is Record<string, unknown> {
  return data !== null && typeof data === 'object' && !Array.isArray(data);
}

function gpsMismatch(data: unknown): string | null {
  if (!isObject(data)) return 'expects an object {"latitude": …, "longitude": …}';
  if (!inRange(data.latitude, -90, 90)) return 'expects a latitude from -90 to 90';
  if (!inRange(data.longitude, -180, 180)) return 'expects a longitude from -180 to 180';
  return null;
}

/**
 * A complex type: an object whose fields (`only` these when given, all of them otherwise) hold fitting
 * values; at least one of them must be there.
 */
function fieldsMismatch(data: unknown, only: string[] | null, fits: (value: unknown) => boolean, what: string): string | null {
  if (!isObject(data)) return 'expects an object';
  const keys = only ? only.filter((k) => k in data) : Object.keys(data);
  if (keys.length === 0) return only ? `expects at least one of ${only.join(', ')}` : 'expects at least one field';
  const bad = keys.find((k) => !fits(data[k]));
  return bad === undefined ? null : `expects ${bad} to be ${what}`;
}
