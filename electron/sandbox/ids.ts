/** Random credentials in Beebotte's shapes: `token_` + 16 base62, 24-char API key, 32-char secret key. */
import { randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

export const newChannelToken = (): string => `token_${randomBase62(16)}`;
export const newIamToken = (): string => `iamtkn_${randomBase62(24)}`;
export const newApiKey = (): string => randomBase62(24);
export const newSecretKey = (): string => randomBase62(32);
