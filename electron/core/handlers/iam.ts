import { ApiError, type IamTokenDTO, type KnownDevice } from '../../api.js';
import { describeRule, type IamTokenInfo } from '../beebotte/iam-client.js';
import type { CoreServices } from '../core.js';
import { iamAccess, requireIam, revokeDeviceToken } from '../devices/device-token.js';
import { profileOr404 } from './lookup.js';
import { restInWords } from './rest-errors.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods = 'iam.capability' | 'iam.list' | 'iam.create' | 'iam.copy' | 'iam.revoke';

/** Beebotte IAM tokens (the desk's Tokens section): listed without their values, which leave only on a copy. */
export function iamHandlers(
  s: Pick<CoreServices, 'profiles' | 'vault' | 'sandbox' | 'devices' | 'bus' | 'platform'>,
): HandlerGroup<Methods> {
  const profile = (profileId: string) => profileOr404(s.profiles, profileId);
  const access = (profileId: string) =>
    iamAccess({ secret: (id) => s.vault.read(id), rest: (id) => restForProfile(s, id) }, profile(profileId));
  const iam = async (profileId: string) => requireIam(await access(profileId));
  /** tokens iam.create made (profile id + token id): the only ones iam.copy hands on — not a device's, nor a wider one */
  const madeHere = new Set<string>();
  const dto = (info: IamTokenInfo, profileId: string, devices: KnownDevice[]): IamTokenDTO => {
    const holder = devices.find((d) => d.profileId === profileId && d.iamToken?.id === info.id);
    return {
      ...info,
      scopes: info.acl.map(describeRule),
      ...(holder ? { device: { id: holder.id, name: holder.name } } : {}),
    };
  };

  return {
    'iam.capability': async ({ profileId }) => {
      const a = await access(profileId);
      return 'iam' in a ? { canManage: true } : { canManage: false, reason: a.reason };
    },

    'iam.list': ({ profileId }) =>
      restInWords(async () => {
        const devices = s.devices.list();
        const p = profile(profileId);
        const own = p.credentialType === 'iamToken' && !p.builtIn ? await s.vault.read(profileId) : null;
        return (await (await iam(profileId)).list(own)).map((t) => dto(t, profileId, devices));
      }),

    'iam.create': ({ profileId, name, description, acl }) =>
      restInWords(async () => {
        const { info } = await (await iam(profileId)).create({ name, ...(description ? { description } : {}), acl });
        madeHere.add(`${profileId}\n${info.id}`);
        return dto(info, profileId, []); // the value stays here: iam.copy hands it on when asked
      }),

    'iam.copy': ({ profileId, tokenId }) =>
      restInWords(async () => {
        if (!madeHere.has(`${profileId}\n${tokenId}`))
          throw new ApiError(
            'failed',
            'only a token just made in the Tokens section can be copied here: a device keeps its own token, and any other stays in the account (apiary iam show ID --value prints one in a terminal)',
          );
        const token = await (await iam(profileId)).value(tokenId);
        // Electron copies in the main process: the value never reaches the renderer
        if (s.platform.clipboard) {
          s.platform.clipboard.writeText(token);
          return { copied: true };
        }
        return { copied: false, token };
      }),

    'iam.revoke': ({ profileId, tokenId }) =>
      restInWords(async () => {
        const devices = await revokeDeviceToken(await iam(profileId), s.devices, profileId, tokenId);
        madeHere.delete(`${profileId}\n${tokenId}`);
        if (devices.length) s.bus.emit('devices.changed', s.devices.list());
        return { revoked: true as const, devices };
      }),
  };
}
