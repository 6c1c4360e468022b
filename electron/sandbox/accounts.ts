/**
 * Accounts, channels, resources and credentials, kept in SQLite. This is also the programmatic handle the
 * app and the tests use (`SandboxHandle.accounts`). It emits `tokenRevoked` when a channel or IAM token stops
 * being valid (regenerated or channel deleted) so live connections that used it can be dropped.
 */
import { EventEmitter } from 'node:events';
import type { Db } from './db.js';
import { errors } from './errors.js';
import { IamTokenStore, type IamTokenSpec } from './iam-tokens.js';
import { newApiKey, newChannelToken, newSecretKey } from './ids.js';
import {
  type AccountInfo,
  type ChannelInfo,
  type ChannelSpec,
  type Principal,
  type ResourceInfo,
  type ResourceSpec,
  type Vtype,
  OWNER_PATTERN,
  checkName,
  checkVtype,
} from './model.js';

interface ChannelRow {
  owner: string;
  name: string;
  label: string;
  description: string;
  ispublic: number;
  token: string;
}
interface ResourceRow {
  name: string;
  label: string;
  description: string;
  vtype: string;
  send_on_subscribe: number;
}
interface AccountRow {
  owner: string;
  api_key: string;
  secret_key: string;
}

export interface TokenRevoked {
  owner: string;
  channel: string;
  token: string;
}

export class SandboxAccounts extends EventEmitter<{ tokenRevoked: [TokenRevoked] }> {
  /** IAM tokens (`/v1/iamtokens`); a deleted or changed one is revoked like a regenerated channel token */
  readonly iam: IamTokenStore;

  constructor(private readonly db: Db) {
    super();
    this.iam = new IamTokenStore(db, (owner, token) => this.emit('tokenRevoked', { owner, channel: '*', token }));
  }

  /** Creates the account when absent; keys given for an existing account replace the stored ones. */
  ensureAccount(spec: { owner: string; apiKey?: string; secretKey?: string }): AccountInfo {
    if (!OWNER_PATTERN.test(spec.owner)) throw errors.validation('owner must be 2–30 letters, digits or _');
    const existing = this.getAccount(spec.owner);
    if (!existing) {
      const account = { owner: spec.owner, apiKey: spec.apiKey ?? newApiKey(), secretKey: spec.secretKey ?? newSecretKey() };
      this.db
        .prepare('INSERT INTO accounts (owner, api_key, secret_key, created_at) VALUES (?, ?, ?, ?)')
        .run(account.owner, account.apiKey, account.secretKey, Date.now());
      return account;
    }
    const next = { ...existing, apiKey: spec.apiKey ?? existing.apiKey, secretKey: spec.secretKey ?? existing.secretKey };
    this.db
      .prepare('UPDATE accounts SET api_key = ?, secret_key = ? WHERE owner = ?')
      .run(next.apiKey, next.secretKey, next.owner);
    return next;
  }

  getAccount(owner: string): AccountInfo | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE owner = ?').get(owner) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  accountByApiKey(apiKey: string): AccountInfo | null {
    const row = this.db.prepare('SELECT * FROM accounts WHERE api_key = ?').get(apiKey) as AccountRow | undefined;
    return row ? toAccount(row) : null;
  }

  listAccounts(): AccountInfo[] {
    return (this.db.prepare('SELECT * FROM accounts ORDER BY owner').all() as AccountRow[]).map(toAccount);
  }

  /** Channel token (with or without the `token_` form), IAM token: who it is, or null. */
  resolveToken(token: string): Principal | null {
    if (token.startsWith('iamtkn_')) {
      const doc = this.iam.byToken(token);
      return doc ? { kind: 'iam', owner: doc.owner, token, acl: doc.acl } : null;
    }
    const row = this.db.prepare('SELECT owner, name FROM channels WHERE token = ?').get(token) as
      { owner: string; name: string } | undefined;
    return row ? { kind: 'channel', owner: row.owner, channel: row.name, token } : null;
  }

  /** A secret key stands for its whole account. */
  resolveSecretKey(secretKey: string): Principal | null {
    const row = this.db.prepare('SELECT owner FROM accounts WHERE secret_key = ?').get(secretKey) as
      { owner: string } | undefined;
    return row ? { kind: 'account', owner: row.owner } : null;
  }

  createChannel(owner: string, spec: ChannelSpec): ChannelInfo {
    this.requireAccount(owner);
    const name = checkName('channel', spec.name);
    if (this.getChannel(owner, name)) throw errors.channelExists(name);
    if (spec.label !== undefined && (typeof spec.label !== 'string' || spec.label.length > 64)) {
      throw errors.validation('label must be a string of at most 64 characters');
    }
    const resources = spec.resources ?? [];
    const seen = new Set<string>();
    for (const r of resources) {
      checkName('resource', r.name);
      checkVtype(r.vtype);
      if (seen.has(r.name)) throw errors.validation(`resource ${r.name} is listed twice`);
      seen.add(r.name);
    }
    const token = spec.token ?? newChannelToken();
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO channels (owner, name, label, description, ispublic, token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(owner, name, spec.label ?? '', str(spec.description), spec.ispublic ? 1 : 0, token, Date.now());
      for (const r of resources) this.insertResource(owner, name, r);
    })();
    return this.getChannel(owner, name)!;
  }

  getChannel(owner: string, name: string): ChannelInfo | null {
    const row = this.db.prepare('SELECT * FROM channels WHERE owner = ? AND name = ?').get(owner, name) as ChannelRow | undefined;
    return row ? this.toChannel(row) : null;
  }

  listChannels(owner: string): ChannelInfo[] {
    const rows = this.db.prepare('SELECT * FROM channels WHERE owner = ? ORDER BY name').all(owner) as ChannelRow[];
    return rows.map((row) => this.toChannel(row));
  }

  /** Changes a channel's description fields or token in place (used by idempotent seeding). */
  updateChannel(
    owner: string,
    name: string,
    patch: { token?: string; ispublic?: boolean; label?: string; description?: string },
  ): ChannelInfo {
    const before = this.requireChannel(owner, name);
    const next = { ...before, ...stripUndefined(patch) };
    this.db
      .prepare('UPDATE channels SET token = ?, ispublic = ?, label = ?, description = ? WHERE owner = ? AND name = ?')
      .run(next.token, next.ispublic ? 1 : 0, next.label, next.description, owner, name);
    if (next.token !== before.token) this.emit('tokenRevoked', { owner, channel: name, token: before.token });
    return this.getChannel(owner, name)!;
  }

  deleteChannel(owner: string, name: string): void {
    const channel = this.requireChannel(owner, name);
    this.db.prepare('DELETE FROM channels WHERE owner = ? AND name = ?').run(owner, name);
    this.emit('tokenRevoked', { owner, channel: name, token: channel.token });
  }

  regenerateToken(owner: string, name: string): ChannelInfo {
    return this.updateChannel(owner, name, { token: newChannelToken() });
  }

  createResource(owner: string, channel: string, spec: ResourceSpec): ResourceInfo {
    this.requireChannel(owner, channel);
    const name = checkName('resource', spec.name);
    checkVtype(spec.vtype);
    if (this.getResource(owner, channel, name)) throw errors.resourceExists(channel, name);
    this.insertResource(owner, channel, spec);
    return this.getResource(owner, channel, name)!;
  }

  getResource(owner: string, channel: string, name: string): ResourceInfo | null {
    const row = this.db
      .prepare('SELECT * FROM resources WHERE owner = ? AND channel = ? AND name = ?')
      .get(owner, channel, name) as ResourceRow | undefined;
    return row ? toResource(row) : null;
  }

  listResources(owner: string, channel: string): ResourceInfo[] {
    const rows = this.db
      .prepare('SELECT * FROM resources WHERE owner = ? AND channel = ? ORDER BY name')
      .all(owner, channel) as ResourceRow[];
    return rows.map(toResource);
  }

  deleteResource(owner: string, channel: string, name: string): void {
    if (!this.getResource(owner, channel, name)) throw errors.resourceNotFound(channel, name);
    this.db.prepare('DELETE FROM resources WHERE owner = ? AND channel = ? AND name = ?').run(owner, channel, name);
  }

  /** An IAM token: with `acl`, those rights; otherwise data:read and data:write over `channels` (all when absent). */
  createIamToken(owner: string, spec: IamTokenSpec = {}): string {
    this.requireAccount(owner);
    return this.iam.create(owner, spec).token;
  }

  requireChannel(owner: string, name: string): ChannelInfo {
    const channel = this.getChannel(owner, name);
    if (!channel) throw errors.channelNotFound(name);
    return channel;
  }

  private requireAccount(owner: string): void {
    if (!this.getAccount(owner)) throw errors.notFound(`account ${owner}`);
  }

  private insertResource(owner: string, channel: string, spec: ResourceSpec): void {
    if (spec.label !== undefined && (typeof spec.label !== 'string' || spec.label.length > 64)) {
      throw errors.validation('label must be a string of at most 64 characters');
    }
    this.db
      .prepare(
        `INSERT INTO resources (owner, channel, name, label, description, vtype, send_on_subscribe, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        owner,
        channel,
        spec.name,
        spec.label ?? '',
        str(spec.description),
        checkVtype(spec.vtype),
        spec.sendOnSubscribe ? 1 : 0,
        Date.now(),
      );
  }

  private toChannel(row: ChannelRow): ChannelInfo {
    return {
      owner: row.owner,
      name: row.name,
      label: row.label,
      description: row.description,
      ispublic: row.ispublic === 1,
      token: row.token,
      resources: this.listResources(row.owner, row.name),
    };
  }
}

function toAccount(row: AccountRow): AccountInfo {
  return { owner: row.owner, apiKey: row.api_key, secretKey: row.secret_key };
}

function toResource(row: ResourceRow): ResourceInfo {
  return {
    name: row.name,
    label: row.label,
    description: row.description,
    vtype: row.vtype as Vtype,
    sendOnSubscribe: row.send_on_subscribe === 1,
  };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
