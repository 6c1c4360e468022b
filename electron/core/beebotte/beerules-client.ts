/**
 * Beebotte Beerules over REST v1 (`/v1/beerules`, as bbt_node calls it), for the desk's Beerules section and
 * `apiary rules`: list, create, enable/disable, invoke, delete, and the sandbox's run log. Rules are read
 * defensively (a field the server leaves out stays out) and an FCM action's server key never leaves this
 * module: `BeeruleInfo` has none. A credential without `admin:beerule:*` gets words naming the missing right.
 */
import { BeebotteRestError, type BeebotteRest } from './rest-client.js';
import { explainMissingRight } from './rights.js';

export type BeeruleTriggerEvent = 'connect' | 'disconnect' | 'subscribe' | 'unsubscribe' | 'join' | 'leave' | 'publish' | 'write';

export interface BeeruleInfo {
  id: string;
  name: string;
  description: string;
  enabled: boolean;
  trigger: { event: string; channel: string; resource: string };
  condition: string | null;
  /** `{type, channel?, resource?, value?, to?, endpoint?…}` without an FCM server key */
  action: { type: string } & Record<string, string | boolean>;
}

/** What `create` sends: bbt_node's `createBeerule` body (publish and write actions; others pass through). */
export interface BeeruleSpec {
  name: string;
  description?: string;
  trigger: { event: BeeruleTriggerEvent; channel: string; resource: string };
  condition?: string;
  action: { type: string } & Record<string, string | boolean>;
}

export interface BeeruleInvocation {
  channel: string;
  resource: string;
  data?: unknown;
}

/** One run, as the sandbox logs it (`GET /v1/beerules/:id/runs`; the cloud publishes no such route). */
export interface BeeruleRunInfo {
  ts: number;
  source: string;
  outcome: string;
  condition?: boolean;
  action?: Record<string, unknown>;
  error?: string;
}

const RIGHTS = {
  read: 'listing Beerules needs the account credentials (API key + secret key) or an IAM token with admin:beerule:read — a channel token cannot',
  write:
    'changing Beerules needs the account credentials (API key + secret key) or an IAM token with admin:beerule:write (and data rights over what the rule reads and writes) — a channel token cannot',
} as const;

const enc = encodeURIComponent;

export async function listBeerules(rest: BeebotteRest): Promise<BeeruleInfo[]> {
  const rows = await explainRights('read', () => rest.request<unknown>('GET', '/v1/beerules'));
  if (!Array.isArray(rows))
    throw new BeebotteRestError(200, null, 'the server answered /v1/beerules with something that is not a list');
  return rows.map(toInfo).filter((r): r is BeeruleInfo => r !== null);
}

export async function createBeerule(rest: BeebotteRest, spec: BeeruleSpec): Promise<BeeruleInfo> {
  return required(
    await explainRights('write', () => rest.request<unknown>('POST', `/v1/beerules/${enc(spec.action.type)}`, bodyOf(spec))),
  );
}

function bodyOf(spec: BeeruleSpec): Record<string, unknown> {
  return {
    name: spec.name,
    ...(spec.description ? { description: spec.description } : {}),
    trigger: spec.trigger,
    ...(spec.condition ? { condition: spec.condition } : {}),
    action: spec.action,
  };
}

/** Replaces a rule's definition: the sandbox's `PUT /v1/beerules/:id` (Beebotte publishes no update route). */
export async function updateBeerule(rest: BeebotteRest, id: string, spec: BeeruleSpec): Promise<BeeruleInfo> {
  return required(await explainRights('write', () => rest.request<unknown>('PUT', `/v1/beerules/${enc(id)}`, bodyOf(spec))));
}

/** A rule in words: "on write to home.temp, if home.temp > 25: publish home.alert = 'hot'". */
export function describeBeerule(rule: Pick<BeeruleInfo, 'trigger' | 'condition' | 'action'>): string {
  const { event, channel, resource } = rule.trigger;
  const where =
    event === 'connect' || event === 'disconnect' ? (channel === '*' ? 'any channel' : channel) : `${channel}.${resource}`;
  const when = `on ${event} ${event === 'write' || event === 'publish' ? 'to' : 'of'} ${where}`;
  const a = rule.action;
  const target = typeof a.channel === 'string' ? `${a.channel}.${String(a.resource ?? '')}` : String(a.to ?? a.endpoint ?? '');
  const what = `${a.type}${target ? ` ${target}` : ''}${typeof a.value === 'string' ? ` = ${a.value}` : ' (the event’s data)'}`;
  return `${when}${rule.condition ? `, if ${rule.condition}` : ''}: ${what}`;
}

export async function setBeeruleEnabled(rest: BeebotteRest, id: string, enabled: boolean): Promise<BeeruleInfo> {
  return required(
    await explainRights('write', () => rest.request<unknown>('POST', `/v1/beerules/${enc(id)}/setstatus`, { enabled })),
  );
}

/** Runs the rule now on this message; the sandbox answers the run, the cloud its own acknowledgement. */
export async function invokeBeerule(
  rest: BeebotteRest,
  id: string,
  invocation: BeeruleInvocation,
): Promise<BeeruleRunInfo | null> {
  const body = {
    channel: invocation.channel,
    resource: invocation.resource,
    ...(invocation.data !== undefined ? { data: invocation.data } : {}),
  };
  const answer = await explainRights('write', () => rest.request<unknown>('POST', `/v1/beerules/${enc(id)}/invoke`, body));
  return toRun(answer);
}

export async function deleteBeerule(rest: BeebotteRest, id: string): Promise<void> {
  await explainRights('write', () => rest.request<unknown>('DELETE', `/v1/beerules/${enc(id)}`));
}

/** The rule's newest runs; null where the server keeps no log (the cloud: 404 on this route). */
export async function beeruleRuns(rest: BeebotteRest, id: string): Promise<BeeruleRunInfo[] | null> {
  try {
    const rows = await rest.request<unknown>('GET', `/v1/beerules/${enc(id)}/runs`);
    return Array.isArray(rows) ? rows.map(toRun).filter((r): r is BeeruleRunInfo => r !== null) : null;
  } catch (err) {
    if (err instanceof BeebotteRestError && err.status === 404 && err.code === 1302) return null;
    throw err;
  }
}

function explainRights<T>(kind: keyof typeof RIGHTS, work: () => Promise<T>): Promise<T> {
  return explainMissingRight(work, (message) => {
    const detail = /cannot make a Beerule that [^.]*/.exec(message)?.[0];
    return detail ? `this credential ${detail.replace('cannot make', 'cannot make or run')}` : RIGHTS[kind];
  });
}

function required(raw: unknown): BeeruleInfo {
  const info = toInfo(raw);
  if (!info) throw new BeebotteRestError(200, null, 'the server answered with something that is not a Beerule');
  return info;
}

function toInfo(raw: unknown): BeeruleInfo | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const id = str(r._id) ?? str(r.id);
  const trigger = (r.trigger ?? {}) as Record<string, unknown>;
  const action = (r.action ?? {}) as Record<string, unknown>;
  if (!id || !str(action.type)) return null;
  const safeAction: BeeruleInfo['action'] = { type: action.type as string };
  for (const [key, value] of Object.entries(action)) {
    if (key === 'serverKey') continue; // an FCM server key is a secret of the account
    if (typeof value === 'string' || typeof value === 'boolean') safeAction[key] = value;
  }
  return {
    id,
    name: str(r.name) ?? id,
    description: str(r.description) ?? '',
    enabled: r.enabled !== false,
    trigger: { event: str(trigger.event) ?? '?', channel: str(trigger.channel) ?? '*', resource: str(trigger.resource) ?? '*' },
    condition: str(r.condition),
    action: safeAction,
  };
}

function toRun(raw: unknown): BeeruleRunInfo | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const run: BeeruleRunInfo = {
    ts: typeof r.ts === 'number' ? r.ts : Date.now(),
    source: str(r.source) ?? 'invoke',
    outcome: str(r.outcome) ?? 'done',
  };
  if (typeof r.condition === 'boolean') run.condition = r.condition;
  if (r.action && typeof r.action === 'object') run.action = r.action as Record<string, unknown>;
  if (str(r.error)) run.error = r.error as string;
  return run;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
