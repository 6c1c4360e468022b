/**
 * The REST v1 server (fastify). Bodies are kept raw for Content-MD5 checks; every failure is answered in
 * Beebotte's shape {"error":{"code","message"}}; a body over the limit gets 400/1406, never a crash.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ConnectionRegistry } from '../connections.js';
import type { DataService } from '../data.js';
import { SandboxError, errors } from '../errors.js';
import type { Principal } from '../model.js';
import { authenticateRequest } from './auth.js';
import { registerAdminRoutes } from './admin-routes.js';
import { registerDataRoutes } from './data-routes.js';

export interface RestDeps {
  data: DataService;
  connections: ConnectionRegistry;
  maxBodyBytes: number;
  log: (line: string) => void;
}

export interface RestContext extends RestDeps {
  auth(req: FastifyRequest): Principal;
}

const rawBodies = new WeakMap<object, Buffer>();

export function createRestServer(deps: RestDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: deps.maxBodyBytes, forceCloseConnections: true });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    rawBodies.set(req.raw, raw);
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(errors.badParameter('the body is not valid JSON'), undefined);
    }
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
  registerAdminRoutes(app, ctx);
  return app;
}
