/**
 * Hostile input for the contract: a seeded PRNG (failures replay with the printed seed), random values
 * of every shape structured clone can carry (what Electron IPC delivers), and mutations of one valid
 * call per method, so the fuzz reaches the handlers and not only the schema.
 */
import { methodParams, type MethodName } from '../../electron/api.js';

export type Rng = () => number;

/** mulberry32: small, fast, good enough to pick cases. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;

export const nastyStrings: readonly string[] = [
  '',
  ' ',
  'a',
  'x'.repeat(70_000),
  '../../../../etc/passwd',
  '/dev/null',
  'C:\\Windows\\system32',
  '\u0000',
  '\ud800',
  '💥🐝',
  '<script>window.__pwned=1</script>',
  '"; DROP TABLE messages; --',
  "' OR 1=1 --",
  '%s%n%x',
  '${process.exit(1)}',
  '#',
  '+/+/#',
  '$SYS/#',
  'a//b',
  '__proto__',
  'constructor',
  'token_FUZZfuzzFUZZfuzz',
  'mqtt://127.0.0.1:1',
  'javascript:alert(1)',
  '1e309',
  'NaN',
];

const nastyNumbers: readonly number[] = [0, -0, -1, 1, 2, 0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity, 65536, 4294967296];

/** A random value; `ipc` adds what only structured clone carries (BigInt, Date, Map, cycles…). */
export function randomValue(rng: Rng, depth = 0, ipc = true): unknown {
  const r = rng();
  if (depth > 3 || r < 0.3) {
    const leaf = rng();
    if (leaf < 0.1) return null;
    if (leaf < 0.15 && ipc) return undefined;
    if (leaf < 0.25) return rng() < 0.5;
    if (leaf < 0.5) return pick(rng, nastyNumbers);
    if (leaf < 0.9) return pick(rng, nastyStrings);
    if (!ipc) return pick(rng, nastyStrings);
    return pick(rng, [10n ** 30n, new Date(NaN), new Map([[1, 2]]), new Set([1]), new Uint8Array([0, 255]), /re/g, new Error('boom')]);
  }
  if (r < 0.6) {
    const n = Math.floor(rng() * 5);
    const arr = Array.from({ length: n }, () => randomValue(rng, depth + 1, ipc));
    if (ipc && rng() < 0.1) arr.push(arr); // a cycle
    return arr;
  }
  const obj: Record<string, unknown> = {};
  const n = Math.floor(rng() * 5);
  for (let i = 0; i < n; i++) obj[pick(rng, ['id', 'name', 'kind', 'topic', 'profileId', 'data', 'qos', 'x', 'constructor', 'prototype'])] = randomValue(rng, depth + 1, ipc);
  if (rng() < 0.1) Object.assign(obj, JSON.parse('{"__proto__": {"polluted": true}}'));
  if (ipc && rng() < 0.05) obj.self = obj;
  return obj;
}

/** Deeply nested arrays, built without recursion (a recursive validator must not blow the stack). */
export function deepNest(levels: number): unknown {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

/**
 * One valid call per method; side effects stay on loopback (profile "fz1" points at a closed port).
 * Methods added to the contract later and missing here are fuzzed from `{}` (see hostileCall).
 */
export function validSamples(deadUrl: string): Partial<Record<MethodName, Record<string, unknown>>> {
  const rule = { name: 'fuzz rule', condition: { kind: 'any' } };
  return {
    'app.info': {},
    'profiles.list': {},
    'profiles.save': { id: 'fz1', name: 'fuzz', kind: 'mqtt', url: deadUrl, subscriptions: ['fz/#'] },
    'profiles.remove': { id: 'fz-gone' },
    'sessions.list': {},
    'sessions.connect': { profileId: 'fz1' },
    'sessions.disconnect': { profileId: 'fz1' },
    'messages.publish': { profileId: 'fz1', topic: 'fz/t', data: '{"v":1}', qos: 1 },
    'messages.query': { topicFilter: 'fz/#', limit: 10 },
    'messages.get': { id: 1 },
    'messages.history': { profileId: 'fz1', topic: 'fz/t', limit: 5 },
    'messages.export': { query: { profileId: 'fz1' }, format: 'ndjson' },
    'explorer.topics': {},
    'beebotte.channels': { profileId: 'fz1' },
    'beebotte.read': { profileId: 'fz1', channel: 'ch', resource: 'res' },
    'templates.list': {},
    'templates.save': { name: 'fuzz template', topic: 'fz/t', data: '1' },
    'templates.remove': { id: 'nope' },
    'composer.history': { limit: 5 },
    'alerts.rules': {},
    'alerts.saveRule': { rule },
    'alerts.removeRule': { id: 'nope' },
    'alerts.testRule': { rule },
    'alerts.history': { limit: 5 },
    'alerts.markRead': {},
    'tray.model': {},
    'tray.pause': { kind: 'resume' },
    'devices.ports': {},
    'devices.list': {},
    'devices.forget': { id: 'nope' },
    'pairing.start': { port: '/dev/apiary-fuzz-no-such-port' },
    'pairing.scan': { pairingId: 'nope' },
    'pairing.provision': { pairingId: 'nope', ssid: 'net', wifiPassword: 'pw', profileId: 'fz1', channel: 'ch', resource: 'res' },
    'pairing.cancel': { pairingId: 'nope' },
    'account.channels': { profileId: 'fz1' },
    'account.createChannel': { profileId: 'fz1', channel: { name: 'ch', resources: [{ name: 'res' }] } },
    'account.deleteChannel': { profileId: 'fz1', channel: 'ch' },
    'account.createResource': { profileId: 'fz1', channel: 'ch', resource: { name: 'res' } },
    'account.deleteResource': { profileId: 'fz1', channel: 'ch', resource: 'res' },
    'account.copyToken': { profileId: 'fz1', channel: 'ch' },
    'account.regenerateToken': { profileId: 'fz1', channel: 'ch' },
    'settings.get': {},
    'settings.save': { notificationsPerMinute: 5 },
  };
}

/** A call that is probably wrong: a valid one mutated, or garbage, or an unknown method. */
export function hostileCall(rng: Rng, samples: Partial<Record<string, Record<string, unknown>>>, ipc: boolean): { method: unknown; params: unknown } {
  const methods = Object.keys(methodParams);
  const r = rng();
  if (r < 0.05) return { method: randomValue(rng, 0, ipc), params: randomValue(rng, 0, ipc) };
  if (r < 0.1) return { method: pick(rng, ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'app.info ', 'APP.INFO', 'app', '']), params: {} };
  const method = pick(rng, methods);
  const params: Record<string, unknown> = { ...(samples[method] ?? {}) };
  const keys = Object.keys(params);
  const op = rng();
  if (op < 0.15) return { method, params: randomValue(rng, 0, ipc) };
  if (op < 0.3 && keys.length) delete params[pick(rng, keys)];
  else if (op < 0.6 && keys.length) params[pick(rng, keys)] = randomValue(rng, 1, ipc);
  else if (op < 0.7) params[pick(rng, ['extra', 'secret', '__proto__', 'constructor'])] = randomValue(rng, 1, ipc);
  else if (op < 0.8 && keys.length) params[pick(rng, keys)] = pick(rng, nastyStrings);
  else if (op < 0.85 && keys.length) params[pick(rng, keys)] = deepNest(5000);
  // else: the valid call itself
  return { method, params };
}
