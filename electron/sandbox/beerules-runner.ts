/**
 * Runs Beerules: every write, publish, connection, subscription and presence event the sandbox sees is
 * matched against the enabled rules of its account; a rule whose condition holds runs its action. Publish and
 * write actions are carried out, inside the rule's own account only (the owner comes from the stored rule,
 * never from the event or the body); webhook, email, SMS and FCM actions are recorded in the rule's run log,
 * not sent (the sandbox makes no outside calls). Rules run after the triggering message went out
 * (setImmediate), so a rule never slows or breaks the client that triggered it.
 *
 * Loops are bounded (Beebotte does not say how it bounds them; picked here): a message an action produces
 * carries its chain, so a rule that retriggers itself, or rules that trigger each other, stop after
 * MAX_CHAIN_DEPTH chained actions, and one triggering message leads to at most MAX_CHAIN_ACTIONS actions in all
 * (fan-out); the action past either limit is not run and its run says `chain-limit`.
 */
import { evaluate, truthy } from './beerule-expr.js';
import type { WatchedEvent } from './bridge.js';
import {
  type BeeruleDoc,
  type BeeruleRun,
  type BeeruleStore,
  type TriggerEvent,
  EVENT_NAMES,
  expressionsOf,
  plainChannel,
} from './beerules.js';
import type { DataService } from './data.js';
import { errors } from './errors.js';

export const MAX_CHAIN_DEPTH = 5;
export const MAX_CHAIN_ACTIONS = 32;
/** Events waiting to be matched; more are dropped (and logged) rather than let memory grow. */
const MAX_PENDING = 10_000;
/** Events matched per turn of the event loop, so a burst does not hold up the transports. */
const BATCH = 200;
/**
 * Rules matched per turn, whatever the number of events: with many rules on one trigger, 200 events made one
 * turn run 200 × every rule (seconds with the sandbox, MQTT and REST stalled meanwhile).
 */
const RUNS_PER_TURN = 200;

/** An event as rules see it: its `data` and metadata are what conditions and values read. */
export interface RuleEvent {
  event: TriggerEvent;
  owner: string;
  channel: string;
  resource: string;
  data: unknown;
  ispublic?: boolean;
  ts: number;
  clientid?: string;
  protocol?: string;
}

/** The chain an event belongs to: how deep, and how many actions it has caused so far. */
interface Chain {
  depth: number;
  budget: { actions: number };
}

export class BeeruleRunner {
  private readonly pending: Array<{ event: RuleEvent; chain: Chain }> = [];
  private scheduled = false;
  private closed = false;
  private droppedLogged = false;
  /** the chain of the action running right now (actions run synchronously), or null outside any action */
  private current: Chain | null = null;
  /** runs not yet in the log: written once per batch (flushRuns) */
  private readonly unlogged: Array<{ id: string; run: BeeruleRun }> = [];

  constructor(
    private readonly store: BeeruleStore,
    private readonly data: DataService,
    private readonly log: (line: string) => void,
  ) {
    data.watch((event, m) =>
      this.observe({
        event,
        owner: m.owner,
        channel: m.channel,
        resource: m.resource,
        data: m.data,
        ispublic: m.ispublic,
        ts: m.ts,
      }),
    );
    data.bridge.watch((owner, event, d) => this.observeSignal(owner, event, d));
  }

  close(): void {
    this.closed = true;
    this.pending.length = 0;
  }

  /**
   * `POST /v1/beerules/:id/invoke`: runs the rule now on the given message, as if it had triggered it (the
   * SDK's tests: the channel must match the trigger's, a disabled rule refuses). Returns the run.
   */
  invoke(
    owner: string,
    id: string,
    body: { channel: string; resource: string; data?: unknown; ispublic?: boolean; clientid?: string },
  ): BeeruleRun {
    const rule = this.store.get(owner, id);
    if (!rule.enabled) throw errors.validation('this Beerule is disabled: enable it before invoking it');
    const { trigger } = rule;
    if (trigger.channel !== '*' && plainChannel(trigger.channel) !== plainChannel(body.channel))
      throw errors.validation(`the rule triggers on channel ${trigger.channel}, not ${body.channel.slice(0, 64)}`);
    if (trigger.resource !== '*' && trigger.resource !== body.resource)
      throw errors.validation(`the rule triggers on resource ${trigger.resource}, not ${body.resource.slice(0, 64)}`);
    const event: RuleEvent = {
      event: trigger.event,
      owner,
      channel: plainChannel(body.channel),
      resource: body.resource,
      data: body.data,
      ts: Date.now(),
      ...(body.ispublic !== undefined ? { ispublic: body.ispublic } : {}),
      ...(body.clientid !== undefined ? { clientid: body.clientid } : {}),
    };
    const run = this.run(rule, event, 'invoke', { depth: 0, budget: { actions: 0 } });
    this.flushRuns();
    return run;
  }

  private flushRuns(): void {
    const runs = this.unlogged.splice(0);
    try {
      this.store.addRuns(runs);
    } catch (err) {
      this.log(`beerules: cannot log ${runs.length} run(s): ${(err as Error).message}`);
    }
  }

  private observeSignal(
    owner: string,
    event: WatchedEvent,
    d: { protocol: string; channel: string; resource: string; clientid?: string },
  ): void {
    this.observe({
      event,
      owner,
      channel: d.channel,
      resource: d.resource,
      data: { ...d, owner },
      ts: Date.now(),
      protocol: d.protocol,
      ...(d.clientid !== undefined ? { clientid: d.clientid } : {}),
    });
  }

  private observe(event: RuleEvent): void {
    if (this.closed) return;
    if (this.pending.length >= MAX_PENDING) {
      if (!this.droppedLogged)
        this.log(`beerules: over ${MAX_PENDING} events waiting; later ones are not matched until the queue drains`);
      this.droppedLogged = true;
      return;
    }
    // a message an action produced continues that action's chain; any other starts one
    const chain = this.current ?? { depth: 0, budget: { actions: 0 } };
    this.pending.push({ event, chain });
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private drain(): void {
    this.scheduled = false;
    if (this.closed) return;
    // events an action adds while this turn runs go to the end of the queue, after the ones taken here
    const available = Math.min(this.pending.length, BATCH);
    let taken = 0;
    for (let matched = 0; taken < available && matched < RUNS_PER_TURN; taken++) {
      const { event, chain } = this.pending[taken]!;
      let rules: BeeruleDoc[];
      try {
        rules = this.store.enabledFor(event.owner, event.event);
      } catch (err) {
        this.log(`beerules: cannot read rules: ${(err as Error).message}`);
        continue;
      }
      matched += Math.max(1, rules.length);
      for (const rule of rules) if (triggers(rule, event)) this.run(rule, event, 'trigger', chain);
    }
    this.pending.splice(0, taken);
    this.flushRuns();
    if (this.pending.length === 0) this.droppedLogged = false;
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.drain());
    }
  }

  private run(rule: BeeruleDoc, event: RuleEvent, source: BeeruleRun['source'], chain: Chain): BeeruleRun {
    const run: BeeruleRun = {
      ts: Date.now(),
      source,
      event: event.event,
      channel: event.channel,
      resource: event.resource,
      outcome: 'done',
    };
    try {
      const { condition, value } = expressionsOf(rule);
      // a name read twice in one run is looked up once (a stored resource's last value is a query and a parse)
      const known = new Map<string, unknown>();
      const resolve = (path: string[]) => {
        const key = path.join('.');
        if (!known.has(key)) known.set(key, this.resolve(rule.owner, event, path));
        return known.get(key);
      };
      if (condition) {
        run.condition = truthy(evaluate(condition, resolve));
        if (!run.condition) run.outcome = 'condition-false';
      }
      if (run.outcome === 'done') {
        const data = value ? evaluate(value, resolve) : event.data;
        if (chain.depth >= MAX_CHAIN_DEPTH || chain.budget.actions >= MAX_CHAIN_ACTIONS) {
          run.outcome = 'chain-limit';
          run.error = `not run: ${MAX_CHAIN_DEPTH} chained actions at most, ${MAX_CHAIN_ACTIONS} per triggering message`;
        } else {
          chain.budget.actions++;
          run.action = this.act(rule, data, { depth: chain.depth + 1, budget: chain.budget });
          if (rule.action.type !== 'publish' && rule.action.type !== 'write') run.outcome = 'recorded';
        }
      }
    } catch (err) {
      run.outcome = 'failed';
      run.error = (err as Error).message;
    }
    this.unlogged.push({ id: rule._id, run });
    return run;
  }

  /** Carries out a publish or write in the rule's own account; describes the call any other action would make. */
  private act(rule: BeeruleDoc, data: unknown, chain: Chain): Record<string, unknown> {
    const a = rule.action;
    if (a.type === 'publish' || a.type === 'write') {
      const channel = plainChannel(String(a.channel));
      const message = {
        owner: rule.owner, // never another account's: the owner is the rule's
        channel,
        resource: String(a.resource),
        data: data ?? null,
        ispublic: !String(a.channel).startsWith('private-'),
        ts: Date.now(),
      };
      const outer = this.current;
      this.current = chain;
      try {
        if (a.type === 'write') this.data.write(message, 'rest');
        else this.data.publish(message, 'rest');
      } finally {
        this.current = outer;
      }
      return { type: a.type, channel, resource: message.resource, data: message.data };
    }
    // recorded, not sent: what the cloud would have sent, without secrets (an FCM server key stays out)
    const recorded: Record<string, unknown> = { type: a.type, sent: false, data: data ?? null };
    for (const key of ['to', 'endpoint', 'senderID', 'isTopic', 'isNotification'])
      if (a[key] !== undefined) recorded[key] = a[key];
    return recorded;
  }

  /**
   * A name in a condition or value: `data` (and `data.field…`) the event's data, `event`, `channel`, `resource`,
   * `ispublic`, `ts`, `clientid`, `protocol` its metadata; `channel.resource[.field…]` the event's data when it
   * is that resource, else that resource's last stored value in the rule's account (or nothing).
   */
  private resolve(owner: string, event: RuleEvent, path: string[]): unknown {
    const [head = '', ...rest] = path;
    if (head === 'data') return dig(event.data, rest);
    if (EVENT_NAMES.includes(head)) return rest.length === 0 ? (event as unknown as Record<string, unknown>)[head] : undefined;
    if (rest.length === 0) return undefined;
    const [resource = '', ...fields] = rest;
    if (head === event.channel && resource === event.resource) return dig(event.data, fields);
    const last = this.data.records.last(owner, head, resource);
    return last ? dig(last.data, fields) : undefined;
  }
}

/** Does this event fire this rule? Connection events carry no resource: only the channel is matched. */
export function triggers(rule: BeeruleDoc, event: RuleEvent): boolean {
  const t = rule.trigger;
  if (t.event !== event.event || rule.owner !== event.owner) return false;
  if (t.channel !== '*' && plainChannel(t.channel) !== event.channel) return false;
  if (event.event === 'connect' || event.event === 'disconnect' || event.event === 'join' || event.event === 'leave') return true;
  return t.resource === '*' || t.resource === event.resource;
}

function dig(value: unknown, fields: string[]): unknown {
  let at = value;
  for (const field of fields) {
    if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, field)) return undefined;
    at = (at as Record<string, unknown>)[field];
  }
  return at;
}
