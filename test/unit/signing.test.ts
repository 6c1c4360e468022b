/**
 * Beebotte's signed REST authentication. The expected values were computed once, outside this code, with
 * openssl (the command is next to each value), and the same inputs are cross-checked against the official
 * SDK's signer (npm beebotte 1.7.0, lib/connector.js: BBT.Signer.prototype.sign, reached via connector.signer).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { contentMd5, sign, signedHeaders, stringToSign } from '../../electron/core/beebotte/signing.js';

const SECRET = 'secretKeyExample0001';
const DATE = 'Tue, 01 Jul 2025 12:00:00 GMT';

describe('signing vectors (computed with openssl)', () => {
  it('signs a GET without a body', () => {
    // printf 'GET\n\n\nTue, 01 Jul 2025 12:00:00 GMT\n/v1/channels' | openssl dgst -sha1 -hmac 'secretKeyExample0001' -binary | base64
    expect(sign(SECRET, stringToSign('get', '', '', DATE, '/v1/channels'))).toBe('dbl+MukCimDyA3JtIi9Ma+/3xZ8=');
  });

  it('hashes the body as base64 of the raw MD5', () => {
    // printf '{"data":42}' | openssl dgst -md5 -binary | base64
    expect(contentMd5('{"data":42}')).toBe('DugeMB1SvWsiS1YOoLrXyA==');
    // printf '{"name":"café","ispublic":false}' | openssl dgst -md5 -binary | base64   (UTF-8 bytes)
    expect(contentMd5('{"name":"café","ispublic":false}')).toBe('3Wwk+lHK0iM1EqwrYkmCAA==');
    expect(contentMd5(undefined)).toBe('');
  });

  it('signs a POST with Content-MD5 and Content-Type', () => {
    // printf 'POST\n%s\napplication/json\nTue, 01 Jul 2025 12:00:00 GMT\n/v1/data/write/home/temp' \
    //   "$(printf '{"data":42}' | openssl dgst -md5 -binary | base64)" | openssl dgst -sha1 -hmac 'secretKeyExample0001' -binary | base64
    const headers = signedHeaders('apiKeyExample', SECRET, 'POST', '/v1/data/write/home/temp', '{"data":42}', DATE);
    expect(headers).toEqual({
      Date: DATE,
      Authorization: 'apiKeyExample:v/uzkvvU+VgWFzHNNXMc1JCyavA=',
      'Content-Type': 'application/json',
      'Content-MD5': 'DugeMB1SvWsiS1YOoLrXyA==',
    });
  });

  it('signs the path with its query string', () => {
    // printf 'GET\n\n\nTue, 01 Jul 2025 12:00:00 GMT\n/v1/data/read/home/temp?limit=5&time-range=1day' | openssl dgst -sha1 -hmac 'secretKeyExample0001' -binary | base64
    const headers = signedHeaders('k', SECRET, 'GET', '/v1/data/read/home/temp?limit=5&time-range=1day', undefined, DATE);
    expect(headers.Authorization).toBe('k:q/hPfhget7hfUImeHOA99GHYvR8=');
    expect(headers).not.toHaveProperty('Content-MD5');
  });

  it('signs a DELETE with another key and date', () => {
    // printf 'DELETE\n\n\nWed, 02 Jul 2025 08:30:15 GMT\n/v1/channels/garage/resources/door' | openssl dgst -sha1 -hmac 'otherSecret_XYZ' -binary | base64
    const headers = signedHeaders(
      'k2',
      'otherSecret_XYZ',
      'DELETE',
      '/v1/channels/garage/resources/door',
      undefined,
      'Wed, 02 Jul 2025 08:30:15 GMT',
    );
    expect(headers.Authorization).toBe('k2:l96ardmTUaye3mbDe+NsjCwowIg=');
  });

  it('a wrong secret gives another signature (the test can fail)', () => {
    expect(sign('secretKeyExample0002', stringToSign('GET', '', '', DATE, '/v1/channels'))).not.toBe(
      'dbl+MukCimDyA3JtIi9Ma+/3xZ8=',
    );
  });
});

// ---- the official SDK, for the same inputs ----

interface SdkRequest {
  url: { path: string };
  method: string;
  headers: Record<string, string>;
}
interface SdkConnector {
  signer: { sign(options: SdkRequest): boolean };
  sign(text: string): { auth: string };
}
const Connector = createRequire(import.meta.url)('beebotte').Connector as new (options: Record<string, unknown>) => SdkConnector;

/** What the SDK puts in the Authorization header for a request it would send (it adds Content-MD5 itself for POST). */
function sdkAuthorization(
  apiKey: string,
  secretKey: string,
  verb: string,
  path: string,
  body: string | undefined,
  date: string,
): string {
  const connector = new Connector({ apiKey, secretKey, hostname: '127.0.0.1', port: 80, protocol: 'http' });
  const headers: Record<string, string> = { Date: date };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-MD5'] = contentMd5(body);
  }
  const request: SdkRequest = { url: { path }, method: verb, headers };
  connector.signer.sign(request);
  return request.headers.Authorization!;
}

describe('cross-check with the official beebotte SDK', () => {
  const cases: Array<[verb: string, path: string, body: string | undefined]> = [
    ['GET', '/v1/channels', undefined],
    ['GET', '/v1/data/read/home/temp?limit=5&time-range=1day', undefined],
    ['POST', '/v1/channels', '{"name":"café","ispublic":false,"resources":[{"name":"t1","vtype":"number"}]}'],
    ['POST', '/v1/data/publish/home/temp', '{"data":{"nested":[1,2,3]}}'],
    ['DELETE', '/v1/channels/home', undefined],
    ['GET', '/v1/channels/home/token/regenerate', undefined],
  ];

  for (const [verb, path, body] of cases) {
    it(`${verb} ${path}`, () => {
      const ours = signedHeaders('apiKeyExample', SECRET, verb, path, body, DATE);
      expect(ours.Authorization).toBe(sdkAuthorization('apiKeyExample', SECRET, verb, path, body, DATE));
    });
  }

  it('the raw HMAC matches the SDK’s getSignature', () => {
    const connector = new Connector({ apiKey: 'a', secretKey: SECRET, hostname: 'h', port: 80, protocol: 'http' });
    const text = stringToSign('GET', '', '', DATE, '/v1/channels');
    expect(`a:${sign(SECRET, text)}`).toBe(connector.sign(text).auth);
  });
});
