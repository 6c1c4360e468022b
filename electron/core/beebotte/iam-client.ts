/**
 * Beebotte IAM tokens over REST v1 (`/v1/iamtokens`), for the desk's Tokens section, per-device pairing and
 * `apiary iam`. Listing never hands a token's value on: `IamTokenInfo` has none. The value leaves this module
 * only from `create` (a device needs it, once) and `value` (the user asked to copy it).
 */
import type { BeebotteRest } from './rest-client.js';
import { BeebotteRestError } from './rest-client.js';

export interface IamRule {
  action: string;
  resource?: string[];
}

/** An IAM token without its value. */
export interface IamTokenInfo {
  id: string;
  name: string;
  description: string;
  acl: IamRule[];
  /** the token the asking credential is itself (revoking it locks the asker out) */
  own?: true;
}

export interface IamTokenSpec {
  name: string;
  description?: string;
  acl: IamRule[];
}

/** What a paired device gets: read and write data on its own channel, nothing else. */
export function deviceAcl(channel: string): IamRule[] {
  return [
    { action: 'data:read', resource: [channel] },
    { action: 'data:write', resource: [channel] },
  ];
}

/** An IAM token name (Beebotte: 2–48 characters) after a device: "Bee 1 (home)". */
export function deviceTokenName(deviceName: string, channel: string): string {
  const suffix = ` (${channel})`;
  const base =
    [...deviceName]
      .filter((c) => c >= ' ' && c !== '\u007f')
      .join('')
      .trim() || 'device';
  const name = `${base.slice(0, Math.max(2, 48 - suffix.length))}${suffix}`;
  return name.length > 48 ? name.slice(0, 48) : name.padEnd(2, '_');
}

/** A rule in words: "read data on home", "write data on home.temp", "manage IAM tokens (read)". */
export function describeRule(rule: IamRule): string {
  const data = /^data:(read|write)$/.exec(rule.action);
  if (data) {
    const where = !rule.resource || rule.resource.includes('*') ? 'every channel' : rule.resource.join(', ');
    return `${data[1]} data on ${where}`;
  }
  const admin = /^admin:(\w+):(read|write)$/.exec(rule.action);
  if (admin) {
    const area =
      { channel: 'channels', connection: 'connections', iam: 'IAM tokens', beerule: 'Beerules' }[admin[1]!] ?? admin[1];
    return admin[2] === 'read' ? `see ${area}` : `manage ${area}`;
  }
  return rule.action;
}

function toInfo(raw: unknown): IamTokenInfo {
  const d = (raw ?? {}) as Record<string, unknown>;
  const acl = Array.isArray(d.acl) ? (d.acl as Record<string, unknown>[]) : [];
  return {
    id: String(d._id ?? ''),
    name: typeof d.name === 'string' ? d.name : '',
    description: typeof d.description === 'string' ? d.description : '',
    acl: acl.map((r) => ({
      action: String(r.action ?? ''),
      ...(Array.isArray(r.resource) ? { resource: r.resource.map(String) } : {}),
    })),
  };
}

export class IamClient {
  constructor(private readonly rest: Pick<BeebotteRest, 'request'>) {}

  /** The tokens without their values; `ownToken` (an IAM-token credential's own value) marks its entry `own`. */
  async list(ownToken?: string | null): Promise<IamTokenInfo[]> {
    const list = await this.rest.request<unknown[]>('GET', '/v1/iamtokens');
    return (Array.isArray(list) ? list : []).map((raw) => {
      const info = toInfo(raw);
      return ownToken && (raw as { token?: unknown })?.token === ownToken ? { ...info, own: true as const } : info;
    });
  }

  async get(id: string): Promise<IamTokenInfo> {
    return toInfo(await this.rest.request<unknown>('GET', `/v1/iamtokens/${encodeURIComponent(id)}`));
  }

  /** Creates a token; the value comes back once, for a device or a copy the user asked for. */
  async create(spec: IamTokenSpec): Promise<{ info: IamTokenInfo; token: string }> {
    const doc = await this.rest.request<Record<string, unknown>>('POST', '/v1/iamtokens', {
      name: spec.name,
      description: spec.description ?? '',
      acl: spec.acl,
    });
    const token = typeof doc?.token === 'string' ? doc.token : '';
    if (!token.startsWith('iamtkn_')) throw new BeebotteRestError(200, null, 'the server did not return the new IAM token');
    return { info: toInfo(doc), token };
  }

  /** The value of a token, for a copy the user asked for (an IAM token narrower than it may not see it). */
  async value(id: string): Promise<string> {
    const doc = await this.rest.request<Record<string, unknown>>('GET', `/v1/iamtokens/${encodeURIComponent(id)}`);
    if (typeof doc?.token !== 'string')
      throw new BeebotteRestError(
        200,
        null,
        'the server did not show this token (a credential with fewer rights than the token cannot see it)',
      );
    return doc.token;
  }

  /** Deletes the token: everything that uses it loses access at once. */
  async revoke(id: string): Promise<void> {
    await this.rest.request('DELETE', `/v1/iamtokens/${encodeURIComponent(id)}`);
  }

  /**
   * May this credential create IAM tokens? The secret key may; an IAM token when it holds admin:iam:write
   * (found by listing: it sees itself; without admin:iam:read it cannot tell, and says no).
   */
  static async canManage(rest: BeebotteRest, ownToken: string | null): Promise<boolean> {
    if (!rest.canAdmin) return false;
    if (ownToken === null) return true;
    try {
      const list = await rest.request<Record<string, unknown>[]>('GET', '/v1/iamtokens');
      const mine = (Array.isArray(list) ? list : []).find((d) => d.token === ownToken);
      return !!mine && toInfo(mine).acl.some((r) => r.action === 'admin:iam:write');
    } catch {
      return false;
    }
  }
}
