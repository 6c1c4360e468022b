/** Secrets out of a text we did not write (a device's log, a native error, a report): every occurrence masked. */
export const MASK = '****';

/** Each non-empty secret (a Wi-Fi password, a token, a key), wherever it occurs; over-masking is safe, a miss is not. */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(MASK);
  return out;
}
