/**
 * IAM token rights as Beebotte's SDK describes them (bbt_node `AclTypes`, its joi schema and its tests):
 * an ACL is a list of `{action, resource?}`. Data actions (`data:read`, `data:write`) may name resources —
 * `channel`, `channel.*`, `channel.resource`, `*`, `*.resource` — and cover everything when they name none;
 * admin actions (`admin:<area>:read|write`) take no resource or `['*']`. What a principal may do follows
 * from here, whatever the transport (REST, MQTT, WebSocket).
 */
import { errors } from './errors.js';
import type { Principal } from './model.js';

export const DATA_ACTIONS = ['data:read', 'data:write'] as const;
export const ADMIN_AREAS = ['connection', 'channel', 'beerule', 'iam'] as const;
export const ACL_ACTIONS = [
  ...DATA_ACTIONS,
  ...ADMIN_AREAS.flatMap((area) => [`admin:${area}:read`, `admin:${area}:write`] as const),
] as readonly string[];

export type DataRight = 'read' | 'write';
export type AdminArea = (typeof ADMIN_AREAS)[number];

export interface AclRule {
  action: string;
  resource?: string[];
}

/** The SDK's pattern for an ACL resource, and its length limit. */
const ACL_RESOURCE = /^((\*|(\w\w+))(\.(\*|(\w\w+)))?)$/;
const ACL_RESOURCE_MAX = 129;

/** A client-sent ACL, checked as the SDK's schema does; 400/1403 with the reason otherwise. */
export function parseAcl(value: unknown): AclRule[] {
  if (!Array.isArray(value) || value.length === 0)
    throw errors.validation('acl must be a non-empty array of {action, resource?}');
  return value.map((raw, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw errors.validation(`acl[${i}] must be an object`);
    const { action, resource } = raw as Record<string, unknown>;
    if (typeof action !== 'string' || !ACL_ACTIONS.includes(action)) {
      throw errors.validation(`acl[${i}].action must be one of ${ACL_ACTIONS.join(', ')}`);
    }
    if (resource === undefined) return { action };
    if (!Array.isArray(resource) || !resource.every((r) => typeof r === 'string')) {
      throw errors.validation(`acl[${i}].resource must be an array of strings`);
    }
    const list = resource as string[];
    if ((DATA_ACTIONS as readonly string[]).includes(action)) {
      if (list.length === 0) throw errors.validation(`acl[${i}].resource must name at least one channel or channel.resource`);
      const bad = list.find((r) => r.length > ACL_RESOURCE_MAX || !ACL_RESOURCE.test(r));
      if (bad !== undefined)
        throw errors.validation(`acl[${i}].resource "${bad.slice(0, 40)}" is not channel, channel.resource or *`);
    } else if (list.length > 1 || (list.length === 1 && list[0] !== '*')) {
      throw errors.validation(`acl[${i}].resource of an admin action can only be ["*"]`);
    }
    return { action, resource: [...list] };
  });
}

/** The ACL a channel list stood for before IAM tokens had one (seed files, older sandboxes). */
export function dataAcl(channels?: string[]): AclRule[] {
  const resource = channels ? { resource: [...channels] } : {};
  return [
    { action: 'data:read', ...resource },
    { action: 'data:write', ...resource },
  ];
}

/**
 * May this principal read or write `channel/resource`? `resource` `*` asks for the whole channel (a `#`
 * subscription), `channel` `*` for every channel (a wildcard channel level): only a rule as wide grants it.
 */
export function mayData(principal: Principal, right: DataRight, channel: string, resource = '*'): boolean {
  switch (principal.kind) {
    case 'account':
      return true;
    case 'channel':
      return principal.channel === channel;
    case 'iam':
      return principal.acl.some(
        (rule) =>
          rule.action === `data:${right}` &&
          (rule.resource === undefined || rule.resource.some((r) => covers(r, channel, resource))),
      );
  }
}

/** Admin routes: the account (signed request or secret key) always, an IAM token with the action, a channel token never. */
export function mayAdmin(principal: Principal, area: AdminArea, right: DataRight): boolean {
  if (principal.kind === 'account') return true;
  if (principal.kind === 'channel') return false;
  return principal.acl.some((rule) => rule.action === `admin:${area}:${right}`);
}

/**
 * The first rule of `acl` this principal does not hold itself, or null when it holds them all. A token that
 * may manage IAM tokens may hand out only its own rights (else admin:iam:write would mint a token with every
 * right of the account); the account may grant anything. `home.temp` is held by `home`, `home.*`, `*.temp`,
 * `*` or no resource; `*.temp` only by `*.temp`, `*` or no resource.
 */
export function ungrantable(principal: Principal, acl: readonly AclRule[]): AclRule | null {
  if (principal.kind === 'account') return null;
  const held = principal.kind === 'iam' ? principal.acl : [];
  for (const rule of acl) {
    const mine = held.filter((h) => h.action === rule.action);
    const wanted = rule.resource ?? ['*'];
    const ok = wanted.every((entry) => {
      const [channel = '*', resource = '*'] = entry.split('.');
      return mine.some((h) => h.resource === undefined || h.resource.some((r) => covers(r, channel, resource)));
    });
    if (!ok) return rule;
  }
  return null;
}

function covers(entry: string, channel: string, resource: string): boolean {
  const [ruleChannel, ruleResource = '*'] = entry.split('.');
  return (ruleChannel === '*' || ruleChannel === channel) && (ruleResource === '*' || ruleResource === resource);
}
