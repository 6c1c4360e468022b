/**
 * Turns mqtt.js / socket errors into text a user can act on. Never includes the credential:
 * only the host, the code, and what to check.
 */
const CONNACK_TEXT: Record<number, string> = {
  1: 'unacceptable protocol version',
  2: 'client id rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
  // MQTT 5 reason codes
  0x84: 'unsupported protocol version',
  0x85: 'client id not valid',
  0x86: 'bad user name or password',
  0x87: 'not authorized',
  0x88: 'server unavailable',
  0x8a: 'banned',
  0x8c: 'bad authentication method',
};

const AUTH_CODES = new Set([4, 5, 0x86, 0x87, 0x8a, 0x8c]);

export function isAuthFailure(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && AUTH_CODES.has(code);
}

export function describeConnectError(err: unknown, host: string, credentialHint: string): string {
  const e = err as { code?: unknown; message?: string };
  if (typeof e.code === 'number' && CONNACK_TEXT[e.code]) {
    const what = CONNACK_TEXT[e.code];
    if (AUTH_CODES.has(e.code)) return `credential rejected by ${host} (CONNACK ${e.code}, ${what}): ${credentialHint}`;
    return `${host} refused the connection (CONNACK ${e.code}, ${what})`;
  }
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing is listening at ${host}: check the host and port, or start the broker`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve ${host}: check the host name and your network`;
    case 'ETIMEDOUT':
      return `${host} did not answer in time: check the port and any firewall`;
    case 'ECONNRESET':
      return `${host} closed the connection`;
    case 'CERT_HAS_EXPIRED':
      return `TLS: the certificate of ${host} has expired`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `TLS: the certificate does not name ${host}: check the host name`;
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return `TLS: the certificate of ${host} is not trusted (${String(e.code)}): set the CA file in the profile`;
  }
  const message = typeof e.message === 'string' ? e.message : String(err);
  return `${host}: ${message.replace(/token[:_][\w-]+|iamtkn_[\w-]+/gi, '[credential]')}`;
}
