/** Beebotte resource vtypes → what `data` should look like, for a hint next to the editor (never blocking). */
const NUMERIC = new Set(['number', 'decimal', 'rate', 'percentage', 'temperature', 'humidity', 'body_temp', 'cpu', 'memory', 'disk', 'netif']);
const STRING = new Set(['string', 'alphabetic', 'alphanumeric', 'email']);

export function vtypeHint(vtype: string | undefined): string {
  if (!vtype || vtype === 'any') return 'any JSON value';
  if (NUMERIC.has(vtype)) return `${vtype}: a number, e.g. 21.5`;
  if (STRING.has(vtype)) return `${vtype}: a JSON string, e.g. "on"`;
  if (vtype === 'boolean') return 'boolean: true or false';
  if (vtype === 'gps') return 'gps: {"latitude": …, "longitude": …}';
  if (vtype === 'object') return 'object: {"key": …}';
  if (vtype === 'array') return 'array: [ … ]';
  return vtype;
}

/** Why a parsed value does not fit the vtype, or null. */
export function vtypeMismatch(vtype: string | undefined, value: unknown): string | null {
  if (!vtype || vtype === 'any') return null;
  if (NUMERIC.has(vtype) && typeof value !== 'number') return `${vtype} expects a number`;
  if (STRING.has(vtype) && typeof value !== 'string') return `${vtype} expects a string in quotes`;
  if (vtype === 'boolean' && typeof value !== 'boolean') return 'boolean expects true or false';
  if ((vtype === 'object' || vtype === 'gps') && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    return `${vtype} expects an object`;
  }
  if (vtype === 'array' && !Array.isArray(value)) return 'array expects [ … ]';
  return null;
}
