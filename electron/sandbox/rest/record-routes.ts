/**
 * REST v1 routes on stored records and public channels: delete and update one record (bbt_node's `delete`
 * sends `?_id=`, its `update` posts `{_id, data, ts?}`; both need data:write), and the public channel listing.
 */
import type { FastifyInstance } from 'fastify';
import { errors } from '../errors.js';
import { type Params, name, objectBody, optionalTs, requireData, requireDataRight } from './params.js';
import type { RestContext } from './server.js';

export function registerRecordRoutes(app: FastifyInstance, ctx: RestContext): void {
  const { data } = ctx;

  /** The record a request names, once the principal may write its resource; 404/1300 when there is none. */
  const target = (req: { params: unknown }, principal: ReturnType<RestContext['auth']>, id: unknown) => {
    const p = req.params as Params;
    const channel = name('channel', p.channel);
    const resource = name('resource', p.resource);
    requireDataRight(principal, 'write', channel, resource);
    if (typeof id !== 'string' || id.length < 1 || id.length > 48) throw errors.validation('_id must name a record');
    if (!data.records.get(principal.owner, channel, resource, id)) throw errors.notFound(`record ${id.slice(0, 48)}`);
    return { owner: principal.owner, channel, resource, id };
  };

  app.delete('/v1/data/delete/:channel/:resource', async (req) => {
    const t = target(req, ctx.auth(req), (req.query as Record<string, unknown> | undefined)?._id);
    data.records.delete(t.owner, t.channel, t.resource, t.id);
    return true;
  });

  app.post('/v1/data/update/:channel/:resource', async (req) => {
    const principal = ctx.auth(req);
    const body = objectBody(req.body);
    const t = target(req, principal, body._id);
    const value = requireData(body);
    const ts = optionalTs(body.ts) || undefined; // ts 0 or none: keep the record's time
    data.checkWritable({ owner: t.owner, channel: t.channel, resource: t.resource, data: value, ispublic: false, ts: ts ?? 0 });
    data.records.update(t.owner, t.channel, t.resource, t.id, value, ts);
    return true;
  });

  /** An owner's public channels and their resources, without tokens (404/1300 for an unknown owner). */
  app.get('/v1/public/channels/:owner', async (req) => {
    const owner = (req.params as Params).owner ?? '';
    if (!data.accounts.getAccount(owner)) throw errors.notFound(`account ${owner.slice(0, 30)}`);
    return data.accounts
      .listChannels(owner)
      .filter((c) => c.ispublic)
      .map(({ token: _token, ...rest }) => rest);
  });
}
