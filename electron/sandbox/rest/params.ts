/** Small readers for route params, query strings and bodies, each failing with Beebotte's codes. */
import { errors } from '../errors.js';
import { type Principal, NAME_PATTERN, canUseChannel } from '../model.js';

export type Params = Record<string, string>;

export function name(kind: 'channel' | 'resource', value: string | undefined): string {
  if (!value || !NAME_PATTERN.test(value)) throw errors.validation(`${kind} name must be 2–64 letters, digits or _`);
  return value;
}

/** `private-home` publishes privately to `home`. */
export function publishChannel(value: string | undefined): { channel: string; private: boolean } {
  if (value?.startsWith('private-')) return { channel: name('channel', value.slice('private-'.length)), private: true };
  return { channel: name('channel', value), private: false };
}

export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.validation('the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function requireData(body: Record<string, unknown>): unknown {
  if (!Object.prototype.hasOwnProperty.call(body, 'data')) throw errors.validation('data is required');
  return body.data;
}

export function optionalTs(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw errors.validation('ts must be milliseconds since the epoch');
  return value;
}

export function records(body: Record<string, unknown>): Array<Record<string, unknown>> {
  const list = body.records;
  if (!Array.isArray(list) || list.length === 0) throw errors.validation('records must be a non-empty array');
  return list.map((r) => objectBody(r));
}

export function requireChannelRight(principal: Principal, channel: string): void {
  if (!canUseChannel(principal, channel)) throw errors.notAllowed(`this token does not grant channel ${channel}`);
}

export function requireAccount(principal: Principal): string {
  if (principal.kind !== 'account') {
    throw errors.notAllowed('tokens cannot use admin routes: sign the request with the API key and secret key');
  }
  return principal.owner;
}
