/** The sandbox's data model: accounts → channels → resources, and who is asking (a Principal). */
import { errors } from './errors.js';
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
 * or signed request) every channel of its account; an IAM token the channels it lists (all when null).
 */
export type Principal =
  | { kind: 'account'; owner: string }
  | { kind: 'channel'; owner: string; channel: string; token: string }
  | { kind: 'iam'; owner: string; token: string; channels: string[] | null };

export function canUseChannel(principal: Principal, channel: string): boolean {
  switch (principal.kind) {
    case 'account':
      return true;
    case 'channel':
      return principal.channel === channel;
    case 'iam':
      return principal.channels === null || principal.channels.includes(channel);
  }
}

/** Wildcard channel levels (`+`, `#`) need a credential that covers every channel of the account. */
export function coversWholeAccount(principal: Principal): boolean {
  return principal.kind === 'account' || (principal.kind === 'iam' && principal.channels === null);
}

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
