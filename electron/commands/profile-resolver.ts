import fs from 'node:fs';
import path from 'node:path';
import { beebotteUsername } from '../core/beebotte/credentials.js';
import { ProfileStore } from '../core/profiles/profile-store.js';
import { BEEBOTTE_HOST } from '../core/profiles/profile.js';
import { KeytarSecretStore, Vault } from '../core/vault/index.js';
import { defaultDataDir, packageRoot } from '../node-platform.js';
import type { ResolvedProfile } from './provision.js';

/**
 * `--profile NAME` for device provisioning: the broker a device must reach and the credential it gets,
 * from the app's profile store and the keychain. The secret stays in this process.
 */
export async function resolveProfileForDevice(name: string, dataDir = defaultDataDir()): Promise<ResolvedProfile> {
  const store = new ProfileStore(path.join(dataDir, 'profiles.json'));
  const profile = store.findByName(name);
  if (!profile) throw new Error(`no profile named "${name}" (apiary profiles list shows them)`);
  const secret = await new Vault(new KeytarSecretStore()).read(profile.id);
  if (profile.kind === 'mqtt') {
    if (!profile.url) throw new Error(`profile "${name}" has no broker URL`);
    return {
      url: profile.url,
      username: profile.username ?? '',
      password: secret ?? '',
      ...(profile.caFile ? { ca: fs.readFileSync(profile.caFile, 'utf8') } : {}),
    };
  }
  if (profile.kind === 'sandbox') throw new Error('the built-in sandbox profile lives inside the running app: use --broker and --token with `apiary sandbox`');
  if (!secret) throw new Error(`profile "${name}" has no credential in the keychain`);
  const port = profile.port ?? 8883;
  return {
    url: `${port === 1883 ? 'mqtt' : 'mqtts'}://${BEEBOTTE_HOST}:${port}`,
    username: beebotteUsername(profile.credentialType ?? 'channelToken', secret),
    password: '',
    ...(port !== 1883 ? { ca: fs.readFileSync(path.join(packageRoot, 'resources', 'certs', 'beebotte-ca.pem'), 'utf8') } : {}),
  };
}
