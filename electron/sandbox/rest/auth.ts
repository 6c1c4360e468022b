/**
 * REST authentication, as Beebotte does it: `X-Auth-Token` (or `?token=`) with a channel or IAM token,
 * or `Authorization: <apiKey>:<base64 HMAC-SHA1(secretKey, VERB\nContent-MD5\nContent-Type\nDate\npath)>`
 * with a Date no more than 15 minutes away and, for POST/PUT, a Content-MD5 that matches the body.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SandboxAccounts } from '../accounts.js';
import { errors } from '../errors.js';
import type { Principal } from '../model.js';
import { safeEqual } from '../mqtt-auth.js';

export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

export interface AuthRequest {
  method: string;
  /** Path with the query string, exactly as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: unknown;
  rawBody: Buffer | undefined;
}

export function stringToSign(verb: string, contentMd5: string, contentType: string, date: string, path: string): string {
  return `${verb.toUpperCase()}\n${contentMd5}\n${contentType}\n${date}\n${path}`;
}

export function signString(secretKey: string, text: string): string {
  return createHmac('sha1', secretKey).update(text).digest('base64');
}

export function contentMd5(body: Buffer | string): string {
  return createHash('md5').update(body).digest('base64');
}

export function authenticateRequest(accounts: SandboxAccounts, req: AuthRequest, now = Date.now()): Principal {
  const authorization = header(req, 'authorization');
  if (authorization) return checkSignature(accounts, req, authorization, now);
  const token = header(req, 'x-auth-token') ?? queryToken(req.query);
  if (token) {
    const principal = accounts.resolveToken(token);
    if (!principal) throw errors.badAuth('the token is not valid (regenerated or deleted?)');
    return principal;
  }
  throw errors.badAuth('no credentials: send X-Auth-Token or a signed Authorization header');
}

function checkSignature(accounts: SandboxAccounts, req: AuthRequest, authorization: string, now: number): Principal {
  const colon = authorization.indexOf(':');
  if (colon <= 0) throw errors.badAuth('Authorization must be <apiKey>:<signature>');
  const account = accounts.accountByApiKey(authorization.slice(0, colon));
  if (!account) throw errors.badAuth('unknown API key');
  const date = header(req, 'date');
  if (!date) throw errors.badAuth('signed requests need a Date header');
  const when = Date.parse(date);
  if (Number.isNaN(when)) throw errors.badAuth('the Date header is not a date');
  if (Math.abs(now - when) > MAX_CLOCK_SKEW_MS)
    throw errors.badAuth('the Date header is more than 15 minutes off: check the clock');
  const verb = req.method.toUpperCase();
  const md5 = header(req, 'content-md5') ?? '';
  if (verb === 'POST' || verb === 'PUT') {
    if (!md5) throw errors.badAuth('signed POST and PUT requests need a Content-MD5 header');
    if (md5 !== contentMd5(req.rawBody ?? Buffer.alloc(0))) throw errors.badAuth('Content-MD5 does not match the body');
  }
  const expected = signString(account.secretKey, stringToSign(verb, md5, header(req, 'content-type') ?? '', date, req.url));
  if (!safeEqual(expected, authorization.slice(colon + 1))) throw errors.badAuth('signature mismatch: check the secret key');
  return { kind: 'account', owner: account.owner };
}

function header(req: AuthRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function queryToken(query: unknown): string | undefined {
  if (query && typeof query === 'object' && 'token' in query) {
    const token = (query as { token: unknown }).token;
    return typeof token === 'string' && token ? token : undefined;
  }
  return undefined;
}
