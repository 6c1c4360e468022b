/** Small readers for route params, query strings and bodies, each failing with Beebotte's codes. */
import { errors } from '../errors.js';
import { type AdminArea, type DataRight, mayAdmin, mayData } from '../iam.js';
import { type Principal, NAME_PATTERN } from '../model.js';

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

export function requireDataRight(principal: Principal, right: DataRight, channel: string, resource = '*'): void {
  if (!mayData(principal, right, channel, resource)) {
    const what = resource === '*' ? `channel ${channel}` : `${channel}.${resource}`;
    throw errors.notAllowed(`this token does not grant data:${right} on ${what}`);
  }
}

/** The account's owner when the principal may use this admin area: the account, or an IAM token with the action. */
export function requireAdmin(principal: Principal, area: AdminArea, right: DataRight): string {
  if (principal.kind === 'channel') {
    throw errors.notAllowed('channel tokens cannot use admin routes: sign the request with the API key and secret key');
  }
  if (!mayAdmin(principal, area, right)) throw errors.notAllowed(`this IAM token does not grant admin:${area}:${right}`);
  return principal.owner;
}
