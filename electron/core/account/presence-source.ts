/**
 * A profile's way into its account's presence: the REST client (restForProfile) and, when its credential may
 * read the account's signaling — the account secret key, an IAM token (the broker says whether it holds
 * admin:connection:read), the built-in sandbox profile through the demo account's keys — the MQTT endpoint a
 * watcher connects to with that credential and a client id of its own (never the profile's fixed one, which
 * would kick the profile's own session off). A channel token polls.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../../api/wire.js';
import type { CoreServices } from '../core.js';
import { restForProfile } from '../handlers/rest.js';
import { buildSessionConfig } from '../profiles/connection.js';
import type { PresenceSource } from './presence.js';

export async function presenceSourceFor(
  s: Pick<CoreServices, 'profiles' | 'vault' | 'sandbox' | 'platform'>,
  profileId: string,
): Promise<PresenceSource> {
  const rest = await restForProfile(s, profileId);
  const profile = s.profiles.get(profileId);
  if (!profile) throw new ApiError('not_found', `no profile with id ${profileId}`);
  const demo = profile.builtIn ? s.sandbox?.demo : undefined;
  const type = demo ? 'secretKey' : (profile.credentialType ?? 'channelToken');
  const secret = demo ? demo.secretKey : await s.vault.read(profileId);
  // what it logs in with, digested (never kept in clear beside the watcher)
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        rest.baseUrl,
        profile.kind,
        type,
        profile.apiKey ?? null,
        profile.port ?? null,
        profile.tls ?? null,
        secret,
      ]),
    )
    .digest('hex');
  if (type === 'channelToken') {
    return { rest, signaling: null, pollReason: 'a channel token cannot read the account’s signaling: polling', fingerprint };
  }
  if (!secret) return { rest, signaling: null, pollReason: 'no credential for the signaling connection: polling', fingerprint };
  const { clientId: _fixed, ...withoutFixedId } = profile;
  // a TLS profile on the embedded sandbox needs its CA file, which a first run makes a little later (as configFor)
  if (profile.tls && s.sandbox) await s.sandbox.tlsReady;
  const config = buildSessionConfig({ ...withoutFixedId, credentialType: type, subscriptions: [] }, secret, {
    resourcesDir: s.platform.resourcesDir,
    ...(s.sandbox ? { sandbox: { mqtt: s.sandbox.urls.mqtt, mqtts: s.sandbox.urls.mqtts, ca: s.sandbox.caPath } } : {}),
  });
  const { clientId: _generated, ...options } = config.options;
  return { rest, signaling: { url: config.url, options }, fingerprint };
}
