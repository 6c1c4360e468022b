/**
 * The credential → MQTT username rule, exactly as the official SDK (bbt_node) applies it:
 * `token_…` and `iamtkn_…` go as they are, any other token gets the legacy `token:` prefix,
 * an account secret key goes as it is. The password is blank.
 */
export type CredentialType = 'channelToken' | 'iamToken' | 'secretKey';

export function beebotteUsername(type: CredentialType, credential: string): string {
  if (type === 'secretKey') return credential;
  if (credential.startsWith('token_') || credential.startsWith('iamtkn_')) return credential;
  if (credential.startsWith('token:')) return credential;
  return `token:${credential}`;
}
