/**
 * Seed files (accounts to create, idempotently) and the demo account used when there is no seed.
 * Applying a seed twice leaves the same state; values it names (keys, tokens) win over stored ones.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SandboxAccounts } from './accounts.js';
import { SandboxError } from './errors.js';

const resourceSchema = z.object({
  name: z.string(),
  vtype: z.string().optional(),
  sendOnSubscribe: z.boolean().optional(),
  label: z.string().max(64).optional(),
  description: z.string().optional(),
});

const channelSchema = z.object({
  name: z.string(),
  token: z.string().min(1).optional(),
  ispublic: z.boolean().optional(),
  label: z.string().max(64).optional(),
  description: z.string().optional(),
  resources: z.array(resourceSchema).default([]),
});

const accountSchema = z.object({
  owner: z.string().regex(/^\w{2,30}$/, 'owner must be 2–30 letters, digits or _'),
  apiKey: z.string().min(1),
  secretKey: z.string().min(1),
  channels: z.array(channelSchema).default([]),
  /** Sandbox extension: IAM tokens with data rights over `channels` (all channels when absent). */
  iamTokens: z
    .array(
      z.object({
        token: z.string().startsWith('iamtkn_'),
        name: z.string().optional(),
        channels: z.array(z.string()).optional(),
        /** checked by iam.ts parseAcl when applied, as /v1/iamtokens checks it */
        acl: z.array(z.object({ action: z.string(), resource: z.array(z.string()).optional() })).optional(),
      }),
    )
    .optional(),
});

export const seedFileSchema = z.object({ accounts: z.array(accountSchema) });

export type SeedFile = {
  accounts: Array<{
    owner: string;
    apiKey: string;
    secretKey: string;
    channels: Array<{
      name: string;
      token?: string;
      ispublic?: boolean;
      label?: string;
      description?: string;
      resources: Array<{ name: string; vtype?: string; sendOnSubscribe?: boolean; label?: string; description?: string }>;
    }>;
    iamTokens?: Array<{
      token: string;
      name?: string;
      channels?: string[];
      acl?: Array<{ action: string; resource?: string[] }>;
    }>;
  }>;
};

export function parseSeed(value: unknown, origin = 'seed'): SeedFile {
  const parsed = seedFileSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') || '(root)' : '(root)';
    throw new Error(`${origin} is not a valid seed file: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export function loadSeedFile(path: string): SeedFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read seed file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`seed file ${path} is not valid JSON`);
  }
  return parseSeed(json, `seed file ${path}`);
}

export function applySeed(accounts: SandboxAccounts, seed: SeedFile): void {
  for (const account of seed.accounts) {
    try {
      accounts.ensureAccount(account);
      for (const channel of account.channels) {
        const existing = accounts.getChannel(account.owner, channel.name);
        if (!existing) {
          accounts.createChannel(account.owner, channel);
          continue;
        }
        accounts.updateChannel(account.owner, channel.name, channel);
        for (const resource of channel.resources) {
          if (!accounts.getResource(account.owner, channel.name, resource.name)) {
            accounts.createResource(account.owner, channel.name, resource);
          }
        }
      }
      for (const iam of account.iamTokens ?? []) accounts.createIamToken(account.owner, iam);
    } catch (err) {
      // keep the seed's location in the message; never echo keys or tokens
      const why = err instanceof SandboxError ? err.message : String((err as Error).message ?? err);
      throw new Error(`seed account ${account.owner}: ${why}`, { cause: err });
    }
  }
}

export interface DemoCredentials {
  owner: string;
  apiKey: string;
  secretKey: string;
  channel: 'demo';
  token: string;
}

/** The demo account: created once with fresh credentials, then the same on every start with this data dir. */
export function ensureDemo(accounts: SandboxAccounts): DemoCredentials {
  const account = accounts.getAccount('demo') ?? accounts.ensureAccount({ owner: 'demo' });
  const channel =
    accounts.getChannel('demo', 'demo') ??
    accounts.createChannel('demo', {
      name: 'demo',
      label: 'Demo',
      description: 'Created by the Apiary sandbox',
      resources: [
        { name: 'temperature', vtype: 'number', sendOnSubscribe: true },
        { name: 'humidity', vtype: 'number', sendOnSubscribe: true },
      ],
    });
  return { owner: 'demo', apiKey: account.apiKey, secretKey: account.secretKey, channel: 'demo', token: channel.token };
}
