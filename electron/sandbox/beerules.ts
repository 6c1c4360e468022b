/**
 * Beerules kept in SQLite, in the shape bbt_node sends and reads (`createBeerule`, `getBeerules`, its tests):
 * `{_id, owner, name, description, enabled, trigger: {event, channel, resource}, condition?, action: {type, …}}`.
 * A body is checked as the SDK's joi schemas check it (unknown keys refused, an explicit owner must be the
 * account's, trigger channel and resource not both `*`), and conditions and values are parsed up front so a
 * rule that is stored can always be evaluated. Runs are kept per rule, newest RUN_LOG_SIZE only.
 */
import { randomBytes } from 'node:crypto';
import { type Expr, parseExpression } from './beerule-expr.js';
import type { Db } from './db.js';
import { errors } from './errors.js';
import { mayAdmin, mayData } from './iam.js';
import type { Principal } from './model.js';

/** bbt_node's `TriggerTypes` and `ActionTypes`. */
export const TRIGGER_EVENTS = ['connect', 'disconnect', 'subscribe', 'unsubscribe', 'join', 'leave', 'publish', 'write'] as const;
export const ACTION_TYPES = ['publish', 'write', 'sms', 'email', 'webhook', 'fcm'] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];
export type ActionType = (typeof ACTION_TYPES)[number];

/** Runs kept per rule (the oldest go first). */
export const RUN_LOG_SIZE = 50;
/**
 * Rules an account may keep (Beebotte publishes no limit; picked here): every rule is matched, and logs a run,
 * on each message of its trigger, so without a bound one credential with admin:beerule:write could make every
 * message cost seconds of the sandbox's (and the desk's, when embedded) time — 3,000 rules: ~150 ms a write.
 */
export const MAX_BEERULES = 100;
/** Stored resources (`channel.resource`) a rule's condition and value may read: each is a lookup on every run. */
export const MAX_RULE_NAMES = 8;

export interface BeeruleTrigger {
  event: TriggerEvent;
  channel: string;
  resource: string;
}

export type BeeruleAction = { type: ActionType } & Record<string, unknown>;

export interface BeeruleDoc {
  _id: string;
  owner: string;
  name: string;
  description: string;
  enabled: boolean;
  trigger: BeeruleTrigger;
  condition?: string;
  action: BeeruleAction;
  created_at: number;
}

export type RunOutcome = 'done' | 'condition-false' | 'recorded' | 'failed' | 'chain-limit';

/** One run, as `GET /v1/beerules/:id/runs` and an invocation answer it. */
export interface BeeruleRun {
  ts: number;
  source: 'trigger' | 'invoke';
  event: TriggerEvent;
  channel: string;
  resource: string;
  /** the condition's value; absent when the rule has none */
  condition?: boolean;
  outcome: RunOutcome;
  /** what the action did or would have done: `{type, channel, resource, data}` or the recorded webhook/email/FCM/SMS call */
  action?: Record<string, unknown>;
  error?: string;
}

const TRIGGER_CHANNEL = /^(\*|(private-)?(\w\w+))$/;
const TRIGGER_RESOURCE = /^(\*|\w\w+)$/;
const PUBLISH_CHANNEL = /^(private-)?\w+$/;
const PLAIN_NAME = /^\w+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Words a condition or value reads from the triggering event rather than as `channel.resource` (picked here). */
export const EVENT_NAMES = ['data', 'event', 'channel', 'resource', 'ispublic', 'ts', 'clientid', 'protocol'];

/** The keys each action type takes (bbt_node's schemas), and which are required. */
const ACTION_FIELDS: Record<ActionType, { required: string[]; optional: string[] }> = {
  publish: { required: ['channel', 'resource'], optional: ['value'] },
  write: { required: ['channel', 'resource'], optional: ['value'] },
  sms: { required: ['to'], optional: [] },
  email: { required: ['to'], optional: [] },
  webhook: { required: ['endpoint'], optional: [] },
  fcm: { required: ['serverKey', 'to'], optional: ['senderID', 'isTopic', 'isNotification', 'value'] },
};

interface RuleRow {
  id: string;
  owner: string;
  name: string;
  description: string;
  enabled: number;
  trigger: string;
  condition: string | null;
  action: string;
  created_at: number;
}

export interface RuleFilter {
  type?: string;
  event?: string;
  channel?: string;
  resource?: string;
}

export class BeeruleStore {
  constructor(private readonly db: Db) {}

  /** A rule body checked as bbt_node checks it; 400/1403 with the reason otherwise. */
  static parse(
    owner: string,
    body: Record<string, unknown>,
    typeFromPath?: string,
  ): Omit<BeeruleDoc, '_id' | 'created_at' | 'enabled'> {
    onlyKeys(body, ['name', 'description', 'owner', 'trigger', 'condition', 'action'], 'the Beerule');
    const { name, description, trigger, condition, action } = body;
    if (typeof name !== 'string' || name.length < 2 || name.length > 48) throw errors.validation('name must be 2–48 characters');
    if (description !== undefined && typeof description !== 'string') throw errors.validation('description must be a string');
    if (body.owner !== undefined && body.owner !== owner)
      throw errors.validation('owner must be the account that creates the rule (or absent)');
    if (condition !== undefined) {
      if (typeof condition !== 'string') throw errors.validation('condition must be a string');
      parseExpression(condition, 'condition');
    }
    const parsedAction = parseAction(action);
    if (typeFromPath !== undefined && typeFromPath !== parsedAction.type)
      throw errors.validation(`the path says ${typeFromPath.slice(0, 20)} but action.type is ${parsedAction.type}`);
    const read = storedNames({ ...(condition !== undefined ? { condition } : {}), action: parsedAction });
    if (read.size > MAX_RULE_NAMES)
      throw errors.validation(
        `the condition and value read more than ${MAX_RULE_NAMES} resources (channel.resource): split the rule`,
      );
    return {
      owner,
      name,
      description: description ?? '',
      trigger: parseTrigger(trigger),
      ...(condition !== undefined ? { condition } : {}),
      action: parsedAction,
    };
  }

  create(owner: string, rule: Omit<BeeruleDoc, '_id' | 'created_at' | 'enabled'>): BeeruleDoc {
    const { n } = this.db.prepare('SELECT count(*) AS n FROM beerules WHERE owner = ?').get(owner) as { n: number };
    if (n >= MAX_BEERULES)
      throw errors.validation(`an account keeps at most ${MAX_BEERULES} Beerules: delete one before making another`);
    const id = randomBytes(12).toString('hex');
    this.db
      .prepare(
        `INSERT INTO beerules (id, owner, name, description, enabled, trigger, condition, action, created_at)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)`,
      )
      .run(
        id,
        owner,
        rule.name,
        rule.description,
        JSON.stringify(rule.trigger),
        rule.condition ?? null,
        JSON.stringify(rule.action),
        Date.now(),
      );
    return this.get(owner, id);
  }

  /** Replaces a rule's definition (the sandbox's `PUT /v1/beerules/:id`); its id, status and runs stay. */
  update(owner: string, id: string, rule: Omit<BeeruleDoc, '_id' | 'created_at' | 'enabled'>): BeeruleDoc {
    this.get(owner, id);
    this.db
      .prepare('UPDATE beerules SET name = ?, description = ?, trigger = ?, condition = ?, action = ? WHERE owner = ? AND id = ?')
      .run(
        rule.name,
        rule.description,
        JSON.stringify(rule.trigger),
        rule.condition ?? null,
        JSON.stringify(rule.action),
        owner,
        id,
      );
    return this.get(owner, id);
  }

  get(owner: string, id: string): BeeruleDoc {
    const row = this.db.prepare('SELECT * FROM beerules WHERE owner = ? AND id = ?').get(owner, id) as RuleRow | undefined;
    if (!row) throw errors.notFound(`Beerule ${id.slice(0, 40)}`);
    return toDoc(row);
  }

  /**
   * The account's rules, filtered as bbt_node's `getBeerules` query does: `type` the action type, `event` the
   * trigger event, `channel`/`resource` the rules a message there would trigger (a `*` trigger matches any).
   */
  list(owner: string, filter: RuleFilter = {}): BeeruleDoc[] {
    const rows = this.db.prepare('SELECT * FROM beerules WHERE owner = ? ORDER BY created_at, id').all(owner) as RuleRow[];
    return rows
      .map(toDoc)
      .filter(
        (r) =>
          (filter.type === undefined || r.action.type === filter.type) &&
          (filter.event === undefined || r.trigger.event === filter.event) &&
          (filter.channel === undefined || nameMatches(r.trigger.channel, filter.channel)) &&
          (filter.resource === undefined || nameMatches(r.trigger.resource, filter.resource)),
      );
  }

  /** Enabled rules of an account whose trigger is this event (the runner then matches channel and resource). */
  enabledFor(owner: string, event: TriggerEvent): BeeruleDoc[] {
    const rows = this.db
      .prepare("SELECT * FROM beerules WHERE owner = ? AND enabled = 1 AND json_extract(trigger, '$.event') = ?")
      .all(owner, event) as RuleRow[];
    return rows.map(toDoc);
  }

  setEnabled(owner: string, id: string, enabled: boolean): BeeruleDoc {
    this.get(owner, id);
    this.db.prepare('UPDATE beerules SET enabled = ? WHERE owner = ? AND id = ?').run(enabled ? 1 : 0, owner, id);
    return this.get(owner, id);
  }

  delete(owner: string, id: string): void {
    this.get(owner, id);
    this.db.prepare('DELETE FROM beerules WHERE owner = ? AND id = ?').run(owner, id);
  }

  /**
   * Appends runs (one transaction for a whole batch: a commit per run halved the MQTT write rate) and drops all
   * but the newest RUN_LOG_SIZE of each rule. A run of a rule deleted meanwhile is dropped.
   */
  addRuns(runs: Array<{ id: string; run: BeeruleRun }>): void {
    if (runs.length === 0) return;
    const insert = this.db.prepare('INSERT INTO beerule_runs (rule_id, ts, run) SELECT id, ?, ? FROM beerules WHERE id = ?');
    const trim = this.db.prepare(
      `DELETE FROM beerule_runs WHERE rule_id = ? AND seq NOT IN
         (SELECT seq FROM beerule_runs WHERE rule_id = ? ORDER BY seq DESC LIMIT ?)`,
    );
    this.db.transaction(() => {
      for (const { id, run } of runs) insert.run(run.ts, JSON.stringify(run), id);
      for (const id of new Set(runs.map((r) => r.id))) trim.run(id, id, RUN_LOG_SIZE);
    })();
  }

  /** Newest first. */
  runs(owner: string, id: string): BeeruleRun[] {
    this.get(owner, id);
    const rows = this.db.prepare('SELECT run FROM beerule_runs WHERE rule_id = ? ORDER BY seq DESC').all(id) as Array<{
      run: string;
    }>;
    return rows.map((r) => JSON.parse(r.run) as BeeruleRun);
  }
}

/**
 * What a rule may reach when an IAM token (not the account) creates, changes or invokes it: no more than the
 * token itself. A rule runs with the account's rights, so without this check `admin:beerule:write` alone would
 * let a token copy a channel it cannot read into one it can, or write where it may not. `runs`: reading a
 * rule's run log, which carries the data the rule read (so the read rights, not the write). Throws 405/1102.
 */
export function requireRuleWithinRights(
  principal: Principal,
  rule: Pick<BeeruleDoc, 'trigger' | 'condition' | 'action'>,
  use: 'make' | 'runs' = 'make',
): void {
  if (principal.kind === 'account') return;
  const deny = (what: string): never => {
    throw errors.notAllowed(`this token cannot ${use === 'runs' ? 'read the runs of' : 'make'} a Beerule that ${what}`);
  };
  const { event, channel, resource } = rule.trigger;
  if (event === 'connect' || event === 'disconnect') {
    if (!mayAdmin(principal, 'connection', 'read')) deny(`reads ${event} events: it needs admin:connection:read`);
  } else if (!mayData(principal, 'read', plainChannel(channel), resource)) {
    deny(`reads ${channel}.${resource}: it needs data:read there`);
  }
  for (const path of namesIn(rule)) {
    if (path.length >= 2 && !EVENT_NAMES.includes(path[0]!) && !mayData(principal, 'read', path[0]!, path[1]!))
      deny(`reads ${path[0]}.${path[1]}: it needs data:read there`);
  }
  const { type } = rule.action;
  if (use === 'make' && (type === 'publish' || type === 'write')) {
    const target = plainChannel(String(rule.action.channel));
    if (!mayData(principal, 'write', target, String(rule.action.resource)))
      deny(`${type}s to ${target}.${String(rule.action.resource)}: it needs data:write there`);
  }
}

/** `private-home` and `presence-home` name the channel `home`. */
export function plainChannel(channel: string): string {
  return channel.replace(/^(private|presence)-/, '');
}

/** `*` matches anything; `private-home` matches `home`. */
export function nameMatches(pattern: string, value: string): boolean {
  return pattern === '*' || value === '*' || plainChannel(pattern) === plainChannel(value);
}

/** The parsed condition and value of a rule (both were checked when it was stored). */
export function expressionsOf(rule: Pick<BeeruleDoc, 'condition' | 'action'>): { condition?: Expr; value?: Expr } {
  const out: { condition?: Expr; value?: Expr } = {};
  if (rule.condition !== undefined) out.condition = parseExpression(rule.condition, 'condition');
  if (typeof rule.action.value === 'string') out.value = parseExpression(rule.action.value, 'action.value');
  return out;
}

function namesIn(rule: Pick<BeeruleDoc, 'condition' | 'action'>): string[][] {
  const paths: string[][] = [];
  const walk = (e: Expr | undefined): void => {
    if (!e) return;
    if (e.kind === 'name') paths.push(e.path);
    else if (e.kind === 'unary') walk(e.arg);
    else if (e.kind === 'binary') {
      walk(e.left);
      walk(e.right);
    }
  };
  const { condition, value } = expressionsOf(rule);
  walk(condition);
  walk(value);
  return paths;
}

/** The stored resources (`channel.resource`) a rule reads, as opposed to the event's own data and metadata. */
function storedNames(rule: Pick<BeeruleDoc, 'condition' | 'action'>): Set<string> {
  return new Set(
    namesIn(rule)
      .filter((path) => path.length >= 2 && !EVENT_NAMES.includes(path[0]!))
      .map((path) => `${path[0]}.${path[1]}`),
  );
}

function parseTrigger(value: unknown): BeeruleTrigger {
  const t = objectOf(value, 'trigger');
  onlyKeys(t, ['event', 'channel', 'resource'], 'trigger');
  if (typeof t.event !== 'string' || !(TRIGGER_EVENTS as readonly string[]).includes(t.event))
    throw errors.validation(`trigger.event must be one of ${TRIGGER_EVENTS.join(', ')}`);
  if (typeof t.channel !== 'string' || t.channel.length > 64 || !TRIGGER_CHANNEL.test(t.channel))
    throw errors.validation('trigger.channel must be * or a channel name (2–64 letters, digits or _, private- allowed)');
  if (typeof t.resource !== 'string' || t.resource.length > 64 || !TRIGGER_RESOURCE.test(t.resource))
    throw errors.validation('trigger.resource must be * or a resource name (2–64 letters, digits or _)');
  if (t.channel === '*' && t.resource === '*') throw errors.validation('trigger.channel and trigger.resource cannot both be *');
  return { event: t.event as TriggerEvent, channel: t.channel, resource: t.resource };
}

function parseAction(value: unknown): BeeruleAction {
  const a = objectOf(value, 'action');
  if (typeof a.type !== 'string' || !(ACTION_TYPES as readonly string[]).includes(a.type))
    throw errors.validation(`action.type must be one of ${ACTION_TYPES.join(', ')}`);
  const type = a.type as ActionType;
  const fields = ACTION_FIELDS[type];
  onlyKeys(a, ['type', ...fields.required, ...fields.optional], `a ${type} action`);
  for (const key of fields.required) if (a[key] === undefined) throw errors.validation(`a ${type} action needs action.${key}`);
  for (const key of ['channel', 'resource', 'to', 'endpoint', 'serverKey', 'senderID', 'value'])
    if (a[key] !== undefined && typeof a[key] !== 'string') throw errors.validation(`action.${key} must be a string`);
  for (const key of ['isTopic', 'isNotification'])
    if (a[key] !== undefined && typeof a[key] !== 'boolean') throw errors.validation(`action.${key} must be true or false`);
  if (type === 'publish' || type === 'write') {
    const channel = a.channel as string;
    const resource = a.resource as string;
    const channelOk = (type === 'publish' ? PUBLISH_CHANNEL : PLAIN_NAME).test(channel) && plainChannel(channel).length >= 2;
    if (!channelOk || channel.length > 64)
      throw errors.validation(
        `action.channel must be a channel name of this account (2–64 letters, digits or _${type === 'publish' ? ', private- allowed' : ''})`,
      );
    if (!PLAIN_NAME.test(resource) || resource.length < 2 || resource.length > 64)
      throw errors.validation('action.resource must be a resource name (2–64 letters, digits or _)');
  }
  if (typeof a.value === 'string') parseExpression(a.value, 'action.value');
  if (type === 'email' && !EMAIL.test(a.to as string)) throw errors.validation('action.to must be an email address');
  if (type === 'webhook' && !/^https?:\/\/[^\s]+$/.test(a.endpoint as string))
    throw errors.validation('action.endpoint must be an http:// or https:// URL');
  return { ...a, type };
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.validation(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function onlyKeys(value: Record<string, unknown>, allowed: string[], what: string): void {
  const extra = Object.keys(value).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw errors.validation(`${what} does not take "${extra.slice(0, 30)}"`);
}

function toDoc(row: RuleRow): BeeruleDoc {
  const doc: BeeruleDoc = {
    _id: row.id,
    owner: row.owner,
    name: row.name,
    description: row.description,
    enabled: row.enabled === 1,
    trigger: JSON.parse(row.trigger) as BeeruleTrigger,
    action: JSON.parse(row.action) as BeeruleAction,
    created_at: row.created_at,
  };
  if (row.condition !== null) doc.condition = row.condition;
  return doc;
}
