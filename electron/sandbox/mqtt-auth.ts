/**
 * MQTT CONNECT credentials → Principal, as Beebotte reads them: username `token:<t>`, `token_…`,
 * `iamtkn_…` or the account secret key, with a blank password (or the username repeated). The official
 * SDK's "signature" form (username = API key, password = `<name>:base64(HMAC-SHA1(secret, name))`)
 * is accepted too.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SandboxAccounts } from './accounts.js';
import type { Principal } from './model.js';

export function resolveMqttCredential(
  accounts: SandboxAccounts,
  username: string | undefined,
  password: Buffer | string | undefined,
): Principal | null {
  if (!username) return null;
  const pass = password === undefined ? '' : password.toString();
  const blankPassword = pass === '' || pass === username;

  if (username.startsWith('token:')) return blankPassword ? accounts.resolveToken(username.slice('token:'.length)) : null;
  if (username.startsWith('token_') || username.startsWith('iamtkn_')) {
    return blankPassword ? accounts.resolveToken(username) : null;
  }
  if (blankPassword) return accounts.resolveSecretKey(username);
  return resolveSignature(accounts, username, pass);
}

function resolveSignature(accounts: SandboxAccounts, apiKey: string, password: string): Principal | null {
  const account = accounts.accountByApiKey(apiKey);
  const colon = password.lastIndexOf(':');
  if (!account || colon <= 0) return null;
  const name = password.slice(0, colon);
  const expected = createHmac('sha1', account.secretKey).update(name).digest('base64');
  return safeEqual(expected, password.slice(colon + 1)) ? { kind: 'account', owner: account.owner } : null;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
