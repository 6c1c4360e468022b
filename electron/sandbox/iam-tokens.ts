/**
 * IAM tokens kept in SQLite, in the shape Beebotte answers on `/v1/iamtokens` (what bbt_node's tests read):
 * `{_id, owner, name, description, acl, token}`. Deleting a token, or changing its ACL, revokes it for the
 * live connections that use it (they are dropped and reconnect with the new rights): Beebotte does not say
 * what happens to them; a connection never keeps rights its token no longer has.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import { errors } from './errors.js';
import { type AclRule, dataAcl, parseAcl } from './iam.js';
import { newIamToken } from './ids.js';

export interface IamTokenDoc {
  _id: string;
  owner: string;
  name: string;
  description: string;
  acl: AclRule[];
  token: string;
}

export interface IamTokenSpec {
  /** the token value (seed files); generated when absent */
  token?: string;
  name?: string;
  description?: string;
  /** the ACL; without one, `channels` (or every channel) with data:read and data:write */
  acl?: AclRule[];
  channels?: string[];
}

interface IamRow {
  id: string;
  owner: string;
  name: string;
  description: string;
  acl: string;
  token: string;
}

export class IamTokenStore {
  constructor(
    private readonly db: Db,
    private readonly revoked: (owner: string, token: string) => void,
  ) {}

  /** Checks a REST body as the SDK's schema does: name 2–48 characters, optional description, an ACL. */
  static parseSpec(body: Record<string, unknown>): IamTokenSpec {
    const { name, description } = body;
    if (typeof name !== 'string' || name.length < 2 || name.length > 48) throw errors.validation('name must be 2–48 characters');
    if (description !== undefined && typeof description !== 'string') throw errors.validation('description must be a string');
    return { name, description: description ?? '', acl: parseAcl(body.acl) };
  }

  create(owner: string, spec: IamTokenSpec): IamTokenDoc {
    const token = spec.token ?? newIamToken();
    if (!token.startsWith('iamtkn_')) throw errors.validation('an IAM token starts with iamtkn_');
    const acl = spec.acl ? parseAcl(spec.acl) : dataAcl(spec.channels);
    const existing = this.db.prepare('SELECT id, owner FROM iam_tokens WHERE token = ?').get(token) as
      { id: string; owner: string } | undefined;
    if (existing && existing.owner !== owner) throw errors.validation('this token value belongs to another account');
    const id = existing?.id ?? randomBytes(12).toString('hex');
    this.db
      .prepare(
        `INSERT OR REPLACE INTO iam_tokens (token, owner, name, description, acl, id, created_at, channels)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(token, owner, spec.name ?? 'sandbox token', spec.description ?? '', JSON.stringify(acl), id, Date.now());
    if (existing) this.revoked(owner, token); // its rights may have changed
    return this.get(owner, id);
  }

  list(owner: string): IamTokenDoc[] {
    return (this.db.prepare('SELECT * FROM iam_tokens WHERE owner = ? ORDER BY created_at, id').all(owner) as IamRow[]).map(
      toDoc,
    );
  }

  get(owner: string, id: string): IamTokenDoc {
    const row = this.db.prepare('SELECT * FROM iam_tokens WHERE owner = ? AND id = ?').get(owner, id) as IamRow | undefined;
    if (!row) throw errors.notFound(`IAM token ${id.slice(0, 40)}`);
    return toDoc(row);
  }

  byToken(token: string): IamTokenDoc | null {
    const row = this.db.prepare('SELECT * FROM iam_tokens WHERE token = ?').get(token) as IamRow | undefined;
    return row ? toDoc(row) : null;
  }

  /** Replaces the ACL (bbt_node's updateIAMToken sends `{_id, acl}`); the token value stays. */
  update(owner: string, id: string, acl: unknown): IamTokenDoc {
    const before = this.get(owner, id);
    this.db.prepare('UPDATE iam_tokens SET acl = ? WHERE owner = ? AND id = ?').run(JSON.stringify(parseAcl(acl)), owner, id);
    this.revoked(owner, before.token);
    return this.get(owner, id);
  }

  delete(owner: string, id: string): void {
    const before = this.get(owner, id);
    this.db.prepare('DELETE FROM iam_tokens WHERE owner = ? AND id = ?').run(owner, id);
    this.revoked(owner, before.token);
  }
}

function toDoc(row: IamRow): IamTokenDoc {
  return {
    _id: row.id,
    owner: row.owner,
    name: row.name,
    description: row.description,
    acl: JSON.parse(row.acl) as AclRule[],
    token: row.token,
  };
}
