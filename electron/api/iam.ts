/**
 * IAM tokens' part of the contract (Beebotte `/v1/iamtokens`): list, create, copy, revoke. A token's value
 * never crosses here except from `iam.copy`, the moment the user asks to copy it (and in Electron not even
 * then: the main process writes the clipboard).
 */
import { z } from 'zod';
import type { KnownDevice } from './dtos.js';
import { id } from './primitives.js';

export const IAM_ACTIONS = [
  'data:read',
  'data:write',
  'admin:channel:read',
  'admin:channel:write',
  'admin:connection:read',
  'admin:connection:write',
  'admin:iam:read',
  'admin:iam:write',
  'admin:beerule:read',
  'admin:beerule:write',
] as const;

/** `channel`, `channel.resource`, `channel.*`, `*.resource` or `*` (Beebotte SDK's ACL resource pattern) */
const aclResource = z
  .string()
  .max(129)
  .regex(/^(\*|\w\w+)(\.(\*|\w\w+))?$/, 'a scope is channel, channel.resource, channel.* or *');

export const IamRuleInput = z
  .object({ action: z.enum(IAM_ACTIONS), resource: z.array(aclResource).min(1).max(50).optional() })
  .strict()
  .refine((r) => r.action.startsWith('data:') || !r.resource || (r.resource.length === 1 && r.resource[0] === '*'), {
    message: 'an admin scope covers the whole account: leave out its resource',
  });

/** a Beebotte IAM token id (hex in the cloud; the contract's id rule) */
const tokenId = id;

export const iamMethodParams = {
  'iam.capability': z.object({ profileId: id }).strict(),
  'iam.list': z.object({ profileId: id }).strict(),
  'iam.create': z
    .object({
      profileId: id,
      name: z.string().trim().min(2, 'a token name is 2–48 characters').max(48, 'a token name is 2–48 characters'),
      description: z.string().max(256).optional(),
      acl: z.array(IamRuleInput).min(1, 'give the token at least one scope').max(20),
    })
    .strict(),
  'iam.copy': z.object({ profileId: id, tokenId }).strict(),
  'iam.revoke': z.object({ profileId: id, tokenId }).strict(),
};

export interface IamRuleDTO {
  action: string;
  resource?: string[];
}

export interface IamTokenDTO {
  id: string;
  name: string;
  description: string;
  acl: IamRuleDTO[];
  /** the ACL in words: "read data on home", "manage channels" */
  scopes: string[];
  /** the paired device that holds it, when one does (this machine's Devices list) */
  device?: { id: string; name: string };
  /** the profile's own credential: revoking it locks this profile out of the account tools */
  own?: true;
}

export interface IamMethodResults {
  /** may this profile create and revoke IAM tokens (secret key, or an IAM token with admin:iam:write); why not */
  'iam.capability': { canManage: boolean; reason?: string };
  'iam.list': IamTokenDTO[];
  'iam.create': IamTokenDTO;
  /** Electron copies in the main process; a browser gets the value once, to copy it itself */
  'iam.copy': { copied: boolean; token?: string };
  /** the devices that held it, now shown as revoked */
  'iam.revoke': { revoked: true; devices: KnownDevice[] };
}
