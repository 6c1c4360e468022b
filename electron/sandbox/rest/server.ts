/**
 * The REST v1 server (fastify). Bodies are kept raw for Content-MD5 checks; every failure is answered in
 * Beebotte's shape {"error":{"code","message"}}; a body over the limit gets 400/1406, never a crash.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { NO_SCHEMA_COMPILERS } from '../../common/fastify-no-schemas.js';
import type { ConnectionRegistry } from '../connections.js';
import type { DataService } from '../data.js';
import { SandboxError, errors } from '../errors.js';
import type { Principal } from '../model.js';
import { authenticateRequest } from './auth.js';
import { MAX_JSON_DEPTH, nestedTooDeep } from '../json-depth.js';
import { registerAdminRoutes } from './admin-routes.js';
import type { BeeruleStore } from '../beerules.js';
import type { BeeruleRunner } from '../beerules-runner.js';
import { registerBeeruleRoutes } from './beerule-routes.js';
import { registerDataRoutes } from './data-routes.js';
import { registerRecordRoutes } from './record-routes.js';

export interface RestDeps {
  data: DataService;
  connections: ConnectionRegistry;
  maxBodyBytes: number;
  log: (line: string) => void;
  /** `/v1/beerules` (absent: the routes answer 404/1302 like any unknown one) */
  beerules?: { store: BeeruleStore; runner: BeeruleRunner };
}

export interface RestContext extends RestDeps {
  auth(req: FastifyRequest): Principal;
}

const rawBodies = new WeakMap<object, Buffer>();

export function createRestServer(deps: RestDeps): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.maxBodyBytes,
    forceCloseConnections: true,
    schemaController: NO_SCHEMA_COMPILERS,
    // a malformed URL or an over-long path parameter is the client's error: answer it in Beebotte's shape too
    frameworkErrors: (error, _req, reply) => {
      const answer = errors.badParameter(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : 'the URL is malformed');
      void (reply as unknown as FastifyReply).status(answer.status).send(answer.toJSON());
    },
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    rawBodies.set(req.raw, raw);
    if (raw.length === 0) return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return done(errors.badParameter('the body is not valid JSON'), undefined);
    }
    if (nestedTooDeep(parsed)) return done(errors.badParameter(`the body is nested more than ${MAX_JSON_DEPTH} levels deep`), undefined);
    done(null, parsed);
  });

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, _req, reply) => {
    let answer: SandboxError;
    if (error instanceof SandboxError) answer = error;
    else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') answer = errors.tooLong(deps.maxBodyBytes);
    else if (error.statusCode && error.statusCode < 500) answer = errors.badParameter(error.message);
    else {
      deps.log(`rest: internal error: ${error.message}`);
      answer = errors.internal();
    }
    void reply.status(answer.status).send(answer.toJSON());
  });

  app.setNotFoundHandler((req, reply) => {
    const answer = errors.serviceNotFound(req.url.split('?')[0] ?? req.url);
    void reply.status(answer.status).send(answer.toJSON());
  });

  const ctx: RestContext = {
    ...deps,
    auth: (req) =>
      authenticateRequest(deps.data.accounts, {
        method: req.method,
        url: req.raw.url ?? req.url,
        headers: req.headers,
        query: req.query,
        rawBody: rawBodies.get(req.raw),
      }),
  };
  registerDataRoutes(app, ctx);
  registerRecordRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  if (deps.beerules) registerBeeruleRoutes(app, ctx, deps.beerules.store, deps.beerules.runner);
  return app;
}
