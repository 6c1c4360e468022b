/** The sandbox's data model: accounts → channels → resources, and who is asking (a Principal). */
import { errors } from './errors.js';
import type { AclRule } from './iam.js';
import { vtypeMismatch } from './vtypes.js';

export const OWNER_PATTERN = /^\w{2,30}$/;
export { NAME_PATTERN, VTYPES, type Vtype } from '../common/beebotte-names.js';
import { NAME_PATTERN, VTYPES, type Vtype } from '../common/beebotte-names.js';

export interface AccountInfo {
  owner: string;
  apiKey: string;
  secretKey: string;
}

export interface ResourceInfo {
  name: string;
  label: string;
  description: string;
  vtype: Vtype;
  sendOnSubscribe: boolean;
}

export interface ChannelInfo {
  owner: string;
  name: string;
  label: string;
  description: string;
  ispublic: boolean;
  token: string;
  resources: ResourceInfo[];
}

export interface ResourceSpec {
  name: string;
  label?: string;
  description?: string;
  vtype?: string;
  sendOnSubscribe?: boolean;
}

export interface ChannelSpec {
  name: string;
  token?: string;
  label?: string;
  description?: string;
  ispublic?: boolean;
  resources?: ResourceSpec[];
}

/**
 * Who a connection or request acts as. A channel token reaches its own channel; an account (secret key
 * or signed request) everything of its account; an IAM token what its ACL grants (iam.ts: mayData, mayAdmin).
 */
export type Principal =
  | { kind: 'account'; owner: string }
  | { kind: 'channel'; owner: string; channel: string; token: string }
  | { kind: 'iam'; owner: string; token: string; acl: AclRule[] };

export function checkName(kind: 'channel' | 'resource', name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw errors.validation(`${kind} name must be 2–64 letters, digits or _`);
  }
  return name;
}

export function checkVtype(vtype: unknown): Vtype {
  if (vtype === undefined) return 'any';
  if (typeof vtype !== 'string' || !(VTYPES as readonly string[]).includes(vtype)) {
    throw errors.unknownType(String(vtype).slice(0, 40));
  }
  return vtype as Vtype;
}

/** Does a written value fit its resource's vtype? (vtypes.ts says why not.) */
export function matchesVtype(vtype: Vtype, data: unknown): boolean {
  return vtypeMismatch(vtype, data) === null;
}
