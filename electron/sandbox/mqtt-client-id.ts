/**
 * Client ids inside the broker. aedes keys live clients, persistent sessions (subscriptions, queued QoS 1
 * messages, QoS 2 state) and takeovers by client id alone, so two accounts — or two credentials of one
 * account — using the same id would kick each other off and share a session. Every id a client sends is
 * therefore prefixed with a fixed-length digest of its account and credential before aedes sees it: only
 * the same credential of the same account reaches the same session. Clients never see the prefix.
 */
import { createHash } from 'node:crypto';
import type { Principal } from './model.js';

/** 22 base64url characters of SHA-256 and a separator. */
export const CLIENT_ID_PREFIX_LENGTH = 23;
const SEPARATOR = '|';

export function internalClientId(principal: Principal, clientId: string): string {
  const credential = principal.kind === 'account' ? 'account' : `${principal.kind}:${principal.token}`;
  const digest = createHash('sha256').update(`${principal.owner}\0${credential}`).digest('base64url').slice(0, 22);
  return `${digest}${SEPARATOR}${clientId}`;
}

/** What the client sent (ids aedes generated for an empty client id have no prefix and come back as they are). */
export function publicClientId(internal: string): string {
  return internal.charAt(CLIENT_ID_PREFIX_LENGTH - 1) === SEPARATOR ? internal.slice(CLIENT_ID_PREFIX_LENGTH) : internal;
}
