/**
 * The headless shell: serves renderer/dist and the Api contract over a WebSocket, on loopback.
 *
 * Access: a random token. `GET /?token=…` trades it for an HttpOnly, SameSite=Strict cookie and redirects
 * to `/` (so the token leaves the address bar); every other request and the WebSocket need the cookie.
 * The Host header must name this server (DNS rebinding) and a WebSocket's Origin must be this server's.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ClientFrame, ServerFrame } from './api.js';
import { NO_SCHEMA_COMPILERS } from './common/fastify-no-schemas.js';
import { serveContract } from './contract-server.js';
import type { Core } from './core/core.js';
import { APP_CSP } from './shell/security.js';

export interface HostOptions {
  /**
   * The core, or its start: the page is served at once and its WebSocket waits for the core, so the browser loads
   * the desk while the core starts (on 2 cores, in parallel)
   */
  core: Core | Promise<Core>;
  rendererDir: string;
  host?: string;
  port?: number;
  /** a non-loopback --host is refused unless this is set (explicit, unsafe) */
  allowRemote?: boolean;
}

export interface HostHandle {
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

export function contentSecurityPolicy(): string {
  return APP_CSP;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1' || host === '[::1]';
}

export async function startHost(options: HostOptions): Promise<HostHandle> {
  const bindHost = options.host ?? '127.0.0.1';
  if (!isLoopback(bindHost) && !options.allowRemote) {
    throw new Error(
      `refusing to serve on ${bindHost}: the desk would be reachable from other machines. Use 127.0.0.1, or add --allow-remote if you really mean it`,
    );
  }
  const indexFile = path.join(options.rendererDir, 'index.html');
  if (!fs.existsSync(indexFile)) throw new Error(`the UI is not built (${indexFile} is missing): run npm run build`);

  const token = randomBytes(24).toString('base64url');
  const app = Fastify({ logger: false, bodyLimit: 1024 * 64, schemaController: NO_SCHEMA_COMPILERS });
  let port = 0;
  const cookieName = () => `apiary_${port}`;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${bindHost}:${port}`]);
  const tokenMatches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const cookieToken = (header: string | undefined): string | undefined => {
    for (const part of (header ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === cookieName()) return value.join('=');
    }
    return undefined;
  };
  const authorized = (req: IncomingMessage): boolean => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return tokenMatches(cookieToken(req.headers.cookie)) || tokenMatches(bearer);
  };

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Content-Security-Policy', contentSecurityPolicy());
    reply.header('Cache-Control', 'no-store');
    if (!allowedHosts().has(req.headers.host ?? '')) {
      return reply.code(403).type('text/plain').send('forbidden: unexpected Host header');
    }
    const query = req.query as Record<string, string | undefined>;
    if (req.method === 'GET' && query.token !== undefined) {
      if (!tokenMatches(query.token)) return reply.code(401).type('text/plain').send('unauthorized: wrong access token');
      reply.header('Set-Cookie', `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`);
      return reply.redirect('/', 303);
    }
    if (!authorized(req.raw)) {
      return reply
        .code(401)
        .type('text/plain')
        .send('unauthorized: open the URL that `apiary serve` printed (it carries the access token)');
    }
  });
  // finished exports, downloaded by the page (the cookie guards this route like every other)
  const core = Promise.resolve(options.core);
  core.catch(() => undefined); // the shell that started the core reports its failure; here, requests wait or fail
  app.get('/exports/:name', async (req, reply) => {
    const { name } = req.params as { name: string };
    if (!/^apiary-export-[\w-]+\.(csv|json|ndjson)$/.test(name)) return reply.code(404).send('not found');
    const file = path.join((await core).exportsDir, name);
    if (!fs.existsSync(file)) return reply.code(404).send('not found');
    reply.header('Content-Disposition', `attachment; filename="${name}"`);
    return reply.type(name.endsWith('.csv') ? 'text/csv' : 'application/json').send(fs.createReadStream(file));
  });
  await app.register(fastifyStatic, { root: options.rendererDir, index: ['index.html'], wildcard: true });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 20 * 1024 * 1024 });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (code: number, text: string) => {
      socket.end(`HTTP/1.1 ${code} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api') return refuse(404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuse(403, 'Forbidden');
    if (req.headers.origin !== `http://${req.headers.host}`) return refuse(403, 'Forbidden');
    if (!authorized(req)) return refuse(401, 'Unauthorized');
    // while it waits for the core the raw socket has no error listener (Node removed its own, ws adds one in
    // handleUpgrade): a reset then would be an unhandled 'error' and end `apiary serve`
    socket.on('error', () => socket.destroy());
    core.then(
      (ready) => wss.handleUpgrade(req, socket, head, (ws) => serveClient(ws, ready)),
      () => refuse(503, 'Service Unavailable'),
    );
  });

  await app.listen({ host: bindHost, port: options.port ?? 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  const shownHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const origin = `http://${shownHost}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await app.close();
    },
  };
}

/** One browser tab: calls in, events out, through the one contract server. */
function serveClient(ws: WebSocket, core: Core): void {
  const send = (frame: ServerFrame) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const contract = serveContract(core, {
    send: (event, data) => send({ event, data }),
    queuedBytes: () => ws.bufferedAmount,
  });
  ws.on('close', () => contract.close());
  ws.on('error', () => ws.terminate());
  ws.on('message', (raw) => {
    let frame: ClientFrame;
    try {
      frame = JSON.parse(raw.toString()) as ClientFrame;
    } catch {
      return send({ id: 0, error: { code: 'invalid_params', message: 'frame is not JSON' } });
    }
    const id = typeof frame?.id === 'number' && Number.isSafeInteger(frame.id) ? frame.id : 0;
    void contract
      .call(frame?.method, frame?.params)
      .then((outcome) => send(outcome.ok ? { id, result: outcome.result } : { id, error: outcome.error }));
  });
}
