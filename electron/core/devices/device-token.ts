/**
 * Per-device least privilege: a device paired with a profile that may administer IAM gets an IAM token of
 * its own — data read and write on its channel, named after it — instead of the channel token, so one
 * device can be revoked without touching the others. The known-device record keeps the token's id and
 * name; the value goes to the device only (over Improv), never to a file or a log.
 */
import { ApiError, type KnownDevice } from '../../api.js';
import { IamClient, deviceAcl, deviceTokenName } from '../beebotte/iam-client.js';
import type { BeebotteRest } from '../beebotte/rest-client.js';
import type { Profile } from '../profiles/profile.js';
import type { DeviceRegistry } from './registry.js';

export interface IamAccessDeps {
  secret(profileId: string): Promise<string | null>;
  rest?: (profileId: string) => Promise<BeebotteRest>;
}

/** The profile's IAM client when it may create and revoke tokens, else why not (in words). */
export async function iamAccess(deps: IamAccessDeps, profile: Profile): Promise<{ iam: IamClient } | { reason: string }> {
  if (profile.kind === 'mqtt') return { reason: `${profile.name} is a generic MQTT profile: it has no Beebotte IAM tokens` };
  const type = profile.credentialType ?? 'channelToken';
  if (type === 'channelToken' && !profile.builtIn)
    return {
      reason: `${profile.name} holds a channel token: IAM tokens need the account secret key or an IAM token with admin:iam:write`,
    };
  if (!deps.rest) return { reason: 'IAM tokens need Beebotte REST, which is not available here' };
  let rest: BeebotteRest;
  try {
    rest = await deps.rest(profile.id);
  } catch (err) {
    return { reason: (err as Error).message };
  }
  const own = type === 'iamToken' && !profile.builtIn ? await deps.secret(profile.id) : null;
  if (!(await IamClient.canManage(rest, own)))
    return {
      reason: `${profile.name}'s IAM token does not hold admin:iam:write (and admin:iam:read to tell): it cannot create device tokens`,
    };
  return { iam: new IamClient(rest) };
}

export interface MintedDeviceToken {
  id: string;
  name: string;
  token: string;
}

/** A fresh token for one device: data read/write on its channel only. */
export async function mintDeviceToken(
  iam: IamClient,
  device: { name: string; serialNumber?: string },
  channel: string,
  resource: string,
): Promise<MintedDeviceToken> {
  const name = deviceTokenName(device.name, channel);
  const serial = device.serialNumber ? `, USB serial ${device.serialNumber}` : '';
  const { info, token } = await iam.create({
    name,
    description: `Apiary: the device "${device.name.slice(0, 60)}"${serial}, publishing on ${channel}/${resource}`.slice(0, 256),
    acl: deviceAcl(channel),
  });
  return { id: info.id, name: info.name || name, token };
}

/**
 * Revokes a token and marks the known devices that held it (of this profile) as revoked; other devices
 * stay as they are. Returns those devices.
 */
export async function revokeDeviceToken(
  iam: IamClient,
  registry: DeviceRegistry,
  profileId: string,
  tokenId: string,
): Promise<KnownDevice[]> {
  try {
    await iam.revoke(tokenId);
  } catch (err) {
    // already gone in the account: the devices that held it are revoked all the same
    if ((err as { code?: number | null }).code !== 1300 && (err as { status?: number }).status !== 404) throw err;
  }
  const marked: KnownDevice[] = [];
  for (const d of registry.list()) {
    if (d.profileId !== profileId || d.iamToken?.id !== tokenId) continue;
    const updated = registry.update(d.id, { revoked: true, online: false });
    if (updated) marked.push(updated);
  }
  return marked;
}

export function requireIam(access: { iam: IamClient } | { reason: string }): IamClient {
  if ('iam' in access) return access.iam;
  throw new ApiError('failed', access.reason);
}
