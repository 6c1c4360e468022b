/**
 * `/v1/beerules`, as bbt_node calls it: `GET /v1/beerules[?type&event&channel&resource]`, `GET/DELETE
 * /v1/beerules/:id`, `POST /v1/beerules/:type` (create; the path names the action type),
 * `POST /v1/beerules/:id/setstatus` `{enabled}`, `POST /v1/beerules/:id/invoke`. Sandbox extensions (Beebotte
 * publishes no route for them): `PUT /v1/beerules/:id` replaces a rule's definition, `GET /v1/beerules/:id/runs`
 * reads its run log. The account may do all; an IAM token needs admin:beerule:read or :write, and may make,
 * change or invoke only rules within its own data rights, and read the runs only of rules that read nothing
 * it may not read itself (beerules.ts, requireRuleWithinRights).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ACTION_TYPES, type BeeruleDoc, BeeruleStore, TRIGGER_EVENTS, requireRuleWithinRights } from '../beerules.js';
import type { BeeruleRunner } from '../beerules-runner.js';
import { errors } from '../errors.js';
import { mayAdmin } from '../iam.js';
import type { Principal } from '../model.js';
import { type Params, objectBody, requireAdmin } from './params.js';
import type { RestContext } from './server.js';

const INVOKE_CHANNEL = /^(private-)?\w{2,64}$/;
const INVOKE_RESOURCE = /^\w{2,64}$/;

export function registerBeeruleRoutes(app: FastifyInstance, ctx: RestContext, store: BeeruleStore, runner: BeeruleRunner): void {
  const writer = (req: FastifyRequest): Principal => {
    const principal = ctx.auth(req);
    requireAdmin(principal, 'beerule', 'write');
    return principal;
  };
  const id = (req: FastifyRequest) => (req.params as Params).id ?? '';

  app.get('/v1/beerules', async (req) => {
    const principal = ctx.auth(req);
    return store.list(requireAdmin(principal, 'beerule', 'read'), listFilter(req.query)).map((r) => shownTo(principal, r));
  });
  app.get('/v1/beerules/:id', async (req) => {
    const principal = ctx.auth(req);
    return shownTo(principal, store.get(requireAdmin(principal, 'beerule', 'read'), id(req)));
  });
  app.get('/v1/beerules/:id/runs', async (req) => {
    const principal = ctx.auth(req);
    const owner = requireAdmin(principal, 'beerule', 'read');
    // the runs hold the data the rule read: a token sees them only where it may read that data itself
    requireRuleWithinRights(principal, store.get(owner, id(req)), 'runs');
    return store.runs(owner, id(req));
  });

  app.post('/v1/beerules/:type', async (req) => {
    const principal = writer(req);
    const type = (req.params as Params).type ?? '';
    if (!(ACTION_TYPES as readonly string[]).includes(type))
      throw errors.validation(`action type must be one of ${ACTION_TYPES.join(', ')}`);
    const rule = BeeruleStore.parse(principal.owner, objectBody(req.body), type);
    requireRuleWithinRights(principal, rule);
    return store.create(principal.owner, rule);
  });

  app.put('/v1/beerules/:id', async (req) => {
    const principal = writer(req);
    store.get(principal.owner, id(req)); // 404 before 400: the rule must exist
    const rule = BeeruleStore.parse(principal.owner, objectBody(req.body));
    requireRuleWithinRights(principal, rule);
    return store.update(principal.owner, id(req), rule);
  });

  app.post('/v1/beerules/:id/setstatus', async (req) => {
    const principal = writer(req);
    const { enabled } = objectBody(req.body);
    if (typeof enabled !== 'boolean') throw errors.validation('enabled must be true or false');
    return store.setEnabled(principal.owner, id(req), enabled);
  });

  app.post('/v1/beerules/:id/invoke', async (req) => {
    const principal = writer(req);
    const rule = store.get(principal.owner, id(req));
    requireRuleWithinRights(principal, rule); // a rule the account made must not write for a weaker token
    return runner.invoke(principal.owner, rule._id, invocation(objectBody(req.body)));
  });

  app.delete('/v1/beerules/:id', async (req) => {
    store.delete(writer(req).owner, id(req));
    return true;
  });
}

/**
 * A rule as a reader sees it: an FCM action's server key is a secret of the account, given back only to who may
 * write rules (the account, a token with admin:beerule:write: they set it and edit it). A token that may only
 * read rules sees that there is one, not what it is.
 */
function shownTo(principal: Principal, rule: BeeruleDoc): BeeruleDoc {
  if (mayAdmin(principal, 'beerule', 'write') || rule.action.serverKey === undefined) return rule;
  return { ...rule, action: { ...rule.action, serverKey: '(hidden)' } };
}

/** The invocation body as bbt_node's schema takes it: channel, resource, and optional data, ispublic, clientid, debug. */
function invocation(body: Record<string, unknown>): {
  channel: string;
  resource: string;
  data?: unknown;
  ispublic?: boolean;
  clientid?: string;
} {
  const extra = Object.keys(body).find((k) => !['channel', 'resource', 'data', 'ispublic', 'clientid', 'debug'].includes(k));
  if (extra !== undefined) throw errors.validation(`an invocation does not take "${extra.slice(0, 30)}"`);
  const { channel, resource, data, ispublic, clientid } = body;
  if (typeof channel !== 'string' || !INVOKE_CHANNEL.test(channel))
    throw errors.validation('channel must be a channel name (2–64 letters, digits or _)');
  if (typeof resource !== 'string' || !INVOKE_RESOURCE.test(resource))
    throw errors.validation('resource must be a resource name (2–64 letters, digits or _)');
  if (ispublic !== undefined && typeof ispublic !== 'boolean') throw errors.validation('ispublic must be true or false');
  if (clientid !== undefined && typeof clientid !== 'string') throw errors.validation('clientid must be a string');
  return {
    channel,
    resource,
    ...(data !== undefined ? { data } : {}),
    ...(ispublic !== undefined ? { ispublic } : {}),
    ...(clientid !== undefined ? { clientid } : {}),
  };
}

function listFilter(query: unknown): { type?: string; event?: string; channel?: string; resource?: string } {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: { type?: string; event?: string; channel?: string; resource?: string } = {};
  if (typeof q.type === 'string') {
    if (!(ACTION_TYPES as readonly string[]).includes(q.type))
      throw errors.validation(`type must be one of ${ACTION_TYPES.join(', ')}`);
    out.type = q.type;
  }
  if (typeof q.event === 'string') {
    if (!(TRIGGER_EVENTS as readonly string[]).includes(q.event))
      throw errors.validation(`event must be one of ${TRIGGER_EVENTS.join(', ')}`);
    out.event = q.event;
  }
  if (typeof q.channel === 'string') out.channel = q.channel;
  if (typeof q.resource === 'string') out.resource = q.resource;
  return out;
}
