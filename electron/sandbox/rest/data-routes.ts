/** REST v1 data routes: publish, write (single and bulk), read, public read. */
import type { FastifyInstance } from 'fastify';
import type { BridgeMessage } from '../bridge.js';
import { errors } from '../errors.js';
import type { ReadQuery } from '../records.js';
import { parseInstant, parseTimeRange } from '../time-range.js';
import { type Params, name, objectBody, optionalTs, publishChannel, records, requireDataRight, requireData } from './params.js';
import type { RestContext } from './server.js';

export function registerDataRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { data } = ctx;

  app.post('/v1/data/publish/:channel/:resource', async (req) => {
    const principal = ctx.auth(req);
    const p = req.params as Params;
    const target = publishChannel(p.channel);
    const resource = name('resource', p.resource);
    requireDataRight(principal, 'write', target.channel, resource);
    const body = objectBody(req.body);
    checkSource(body.source);
    data.publish(message(principal.owner, target.channel, resource, body, !target.private), 'rest');
    return true;
  });

  app.post('/v1/data/publish/:channel', async (req) => {
    const principal = ctx.auth(req);
    const target = publishChannel((req.params as Params).channel);
    const list = records(objectBody(req.body)).map((r) =>
      message(principal.owner, target.channel, name('resource', r.resource as string), r, !target.private),
    );
    for (const m of list) requireDataRight(principal, 'write', m.channel, m.resource);
    for (const m of list) data.publish(m, 'rest');
    return true;
  });

  app.post('/v1/data/write/:channel/:resource', async (req) => {
    const principal = ctx.auth(req);
    const p = req.params as Params;
    const channel = name('channel', p.channel);
    const resource = name('resource', p.resource);
    requireDataRight(principal, 'write', channel, resource);
    data.write(message(principal.owner, channel, resource, objectBody(req.body), true), 'rest');
    return true;
  });

  app.post('/v1/data/write/:channel', async (req) => {
    const principal = ctx.auth(req);
    const channel = name('channel', (req.params as Params).channel);
    const list = records(objectBody(req.body)).map((r) =>
      message(principal.owner, channel, name('resource', r.resource as string), r, true),
    );
    for (const m of list) requireDataRight(principal, 'write', m.channel, m.resource);
    return data.writeMany(list, 'rest').map((stored, i) => ({ resource: list[i]!.resource, _id: stored._id, ts: stored.ts }));
  });

  app.get('/v1/data/read/:channel/:resource', async (req) => {
    const principal = ctx.auth(req);
    const p = req.params as Params;
    const channel = name('channel', p.channel);
    const resource = name('resource', p.resource);
    requireDataRight(principal, 'read', channel, resource);
    return readRecords(ctx, principal.owner, channel, resource, req.query);
  });

  app.get('/v1/public/data/read/:owner/:channel/:resource', async (req) => {
    const p = req.params as Params;
    const channel = name('channel', p.channel);
    const resource = name('resource', p.resource);
    const info = data.accounts.getChannel(p.owner ?? '', channel);
    if (!info?.ispublic) throw errors.channelNotFound(channel);
    return readRecords(ctx, info.owner, channel, resource, req.query);
  });
}

function message(
  owner: string,
  channel: string,
  resource: string,
  body: Record<string, unknown>,
  defaultPublic: boolean,
): BridgeMessage {
  const ts = optionalTs(body.ts) || Date.now(); // ts 0 (or none): the time the sandbox received it
  const ispublic = defaultPublic ? body.ispublic !== false : false;
  return { owner, channel, resource, data: requireData(body), ispublic, ts };
}

function checkSource(source: unknown): void {
  if (source !== undefined && (typeof source !== 'string' || source.length > 30)) {
    throw errors.validation('source must be a string of at most 30 characters');
  }
}

function readRecords(ctx: RestContext, owner: string, channel: string, resource: string, query: unknown) {
  ctx.data.accounts.requireChannel(owner, channel);
  if (!ctx.data.accounts.getResource(owner, channel, resource)) throw errors.resourceNotFound(channel, resource);
  const q = readQuery(query);
  if (q.source === 'hour-stats' || q.source === 'day-stats') return ctx.data.records.stats(owner, channel, resource, q.source, q);
  return ctx.data.records.read(owner, channel, resource, q).map((r) => ({ _id: r._id, data: r.data, ts: r.ts, wts: r.wts }));
}

export function readQuery(query: unknown, now = Date.now()): ReadQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const text = (key: string): string | undefined => (typeof q[key] === 'string' ? (q[key] as string) : undefined);
  const out: ReadQuery = { limit: 750 };
  const limit = text('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 50_000) throw errors.badParameter('limit must be an integer from 1 to 50000');
    out.limit = n;
  }
  const source = text('source');
  if (source !== undefined) {
    if (source !== 'raw' && source !== 'hour-stats' && source !== 'day-stats')
      throw errors.badParameter('source must be raw, hour-stats or day-stats');
    out.source = source;
  }
  const sampleRate = text('sample-rate');
  if (sampleRate !== undefined) {
    const n = Number(sampleRate);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw errors.badParameter('sample-rate must be an integer from 1 to 10000');
    out.sampleRate = n;
  }
  const range = text('time-range');
  if (range !== undefined) {
    const window = parseTimeRange(range, now);
    if (!window)
      throw errors.badParameter(
        'time-range must look like 30min, 6hour, 2day, 1week, 1month, or be today, yesterday, current-week, last-week, current-month, last-month, ytd or last-year',
      );
    out.from = window.from;
    out.to = window.to;
  }
  for (const [key, field] of [
    ['start-time', 'from'],
    ['end-time', 'to'],
  ] as const) {
    const value = text(key);
    if (value === undefined) continue;
    const instant = parseInstant(value);
    if (instant === null) throw errors.badParameter(`${key} must be an ISO date or milliseconds since the epoch`);
    out[field] = instant;
  }
  if (out.from !== undefined && out.to !== undefined && out.from > out.to)
    throw errors.badParameter('start-time is after end-time');
  return out;
}
