import { createHash, createHmac } from 'node:crypto';

/**
 * Beebotte's signed REST authentication:
 * Authorization: <apiKey>:base64(HMAC-SHA1(secretKey, VERB\nContent-MD5\nContent-Type\nDate\npath)).
 * Content-MD5 is the base64 of the raw MD5 of the body (empty without a body); path includes the query.
 */
export function contentMd5(body: string | undefined): string {
  return body ? createHash('md5').update(body, 'utf8').digest('base64') : '';
}

export function stringToSign(verb: string, md5: string, contentType: string, date: string, path: string): string {
  return `${verb.toUpperCase()}\n${md5}\n${contentType}\n${date}\n${path}`;
}

export function sign(secretKey: string, text: string): string {
  return createHmac('sha1', secretKey).update(text, 'utf8').digest('base64');
}

export function signedHeaders(
  apiKey: string,
  secretKey: string,
  verb: string,
  path: string,
  body: string | undefined,
  date = new Date().toUTCString(),
): Record<string, string> {
  const md5 = contentMd5(body);
  const contentType = body ? 'application/json' : '';
  const signature = sign(secretKey, stringToSign(verb, md5, contentType, date, path));
  return {
    Date: date,
    Authorization: `${apiKey}:${signature}`,
    ...(body ? { 'Content-Type': contentType, 'Content-MD5': md5 } : {}),
  };
}
