/**
 * The WebSocket API in Beebotte's shapes (socket.io 4 accepting Engine.IO v3 clients, as the official
 * SDKs use socket.io-client 2.x). Client → server: `message` {version:1, channel:'control'|'stream', event, data};
 * server → client: `control` {event:'subscribed'|'subscribeError'|…, data:{channel,resource}} and
 * `message` {channel, resource, data, ts, ispublic}. Private messages reach authorised subscriptions only.
 */
import { createHmac } from 'node:crypto';
import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { BridgeMessage } from './bridge.js';
import { type ConnectionRegistry, credentialOf } from './connections.js';
import type { DataService } from './data.js';
import { SandboxError } from './errors.js';
import { MAX_JSON_DEPTH, nestedTooDeep } from './json-depth.js';
import { mayAdmin, mayData } from './iam.js';
import { type Principal, NAME_PATTERN } from './model.js';
import { safeEqual } from './mqtt-auth.js';
import { type Member, PresenceRooms } from './presence.js';

interface WsSubscription {
  /** The channel name as the client asked for it (`private-home`); messages are addressed with it. */
  requested: string;
  channel: string;
  resource: string;
  read: boolean;
  write: boolean;
  authorized: boolean;
  /** the channel token given in the subscribe message, when that is what authorised it */
  token?: string;
}

interface WsClient {
  socket: Socket;
  owner: string;
  /** Set when the connection itself was opened with a channel or IAM token. */
  principal: Principal | null;
  /** who it is on presence channels: the query's userid (else the socket id) and username */
  member: Member;
  subs: Map<string, WsSubscription>;
}

interface Envelope {
  version?: unknown;
  channel?: unknown;
  event?: unknown;
  data?: unknown;
}

export interface WebSocketDeps {
  data: DataService;
  connections: ConnectionRegistry;
  maxMessageBytes: number;
  log: (line: string) => void;
}

export class SandboxWebSocket {
  readonly io: Server;
  private readonly clients = new Set<WsClient>();
  private readonly presence = new PresenceRooms<WsClient>();

  constructor(
    http: HttpServer,
    private readonly deps: WebSocketDeps,
  ) {
    this.io = new Server(http, { allowEIO3: true, serveClient: false, maxHttpBufferSize: deps.maxMessageBytes });
    this.io.on('connection', (socket) => this.accept(socket));
    deps.data.bridge.attachWs((message) => this.deliver(message));
    // connections opened with a revoked token are dropped by the registry; a subscription that carried the
    // token in its own message loses what the token gave it: private messages and writes
    deps.data.accounts.on('tokenRevoked', ({ owner, token }) => this.revoke(owner, token));
  }

  private revoke(owner: string, token: string): void {
    for (const client of this.clients) {
      if (client.owner !== owner) continue;
      for (const sub of client.subs.values()) {
        if (sub.token !== token) continue;
        sub.authorized = false;
        sub.write = false;
        delete sub.token;
      }
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.io.close(() => resolve());
    });
  }

  private accept(socket: Socket): void {
    const query = socket.handshake.query as Record<string, unknown>;
    const accounts = this.deps.data.accounts;
    const token = typeof query.token === 'string' && query.token ? query.token : null;
    const key = typeof query.key === 'string' && query.key ? query.key : null;
    const principal = token ? accounts.resolveToken(token) : null;
    const owner = principal?.owner ?? (key ? accounts.accountByApiKey(key)?.owner : undefined);
    if (!owner) {
      socket.emit('control', { event: 'connectError', message: 'unknown API key or token' });
      socket.disconnect(true);
      return;
    }
    const userid = typeof query.userid === 'string' && query.userid ? query.userid : socket.id;
    const username = typeof query.username === 'string' ? query.username.slice(0, 64) : '';
    const client: WsClient = { socket, owner, principal, subs: new Map(), member: { userid, username } };
    this.clients.add(client);
    const unregister = this.deps.connections.add({
      owner,
      userid,
      sid: engineId(socket),
      protocol: 'socketio',
      connectedAt: Date.now(),
      drop: () => socket.disconnect(true),
      ...credentialOf(principal),
      ...(socket.handshake.address ? { remote: socket.handshake.address } : {}),
    });
    const channelOf = principal?.kind === 'channel' ? principal.channel : '*';
    this.deps.data.bridge.signal(owner, 'connect', { protocol: 'socketio', channel: channelOf, resource: '*', clientid: userid });
    socket.on('message', (msg: unknown) => this.onMessage(client, msg));
    socket.on('disconnect', () => {
      this.clients.delete(client);
      unregister();
      for (const left of this.presence.leaveAll(client)) this.presenceEvent(left.owner, left.channel, 'leave', left.member);
      this.deps.data.bridge.signal(owner, 'disconnect', {
        protocol: 'socketio',
        channel: channelOf,
        resource: '*',
        clientid: userid,
      });
    });
  }

  private onMessage(client: WsClient, raw: unknown): void {
    const msg = (typeof raw === 'string' ? safeParse(raw) : raw) as Envelope | null;
    if (!msg || typeof msg !== 'object') return;
    const data = (msg.data ?? {}) as Record<string, unknown>;
    if (msg.channel === 'control' && msg.event === 'subscribe') this.subscribe(client, data);
    else if (msg.channel === 'control' && msg.event === 'unsubscribe') this.unsubscribe(client, data);
    else if (msg.channel === 'stream' && (msg.event === 'publish' || msg.event === 'emit')) this.publish(client, data, false);
    else if (msg.channel === 'stream' && msg.event === 'write') this.publish(client, data, true);
  }

  private subscribe(client: WsClient, d: Record<string, unknown>): void {
    const requested = typeof d.channel === 'string' ? d.channel : '';
    const resource = typeof d.resource === 'string' && d.resource ? d.resource : '*';
    const channel = requested.replace(/^(private|presence)-/, '');
    const reply = (event: string, message?: string): void => {
      client.socket.emit('control', { event, data: { channel: requested, resource }, ...(message ? { message } : {}) });
    };
    if (!NAME_PATTERN.test(channel) || (resource !== '*' && !NAME_PATTERN.test(resource))) {
      reply('subscribeError', 'channel and resource must be 2–64 letters, digits or _ (resource may be *)');
      return;
    }
    const read = d.read !== false;
    const write = d.write === true;
    const authorized = this.isAuthorized(client, channel, resource, d, { read, write });
    const needsAuth = write || requested !== channel || channel === 'signaling';
    if (needsAuth && !authorized) {
      reply('subscribeError', 'not authorised: sign the subscription or pass a channel token');
      return;
    }
    const sub: WsSubscription = { requested, channel, resource, read, write, authorized };
    if (authorized && typeof d.token === 'string' && typeof d.sig !== 'string') sub.token = d.token;
    client.subs.set(`${requested}.${resource}`, sub);
    reply('subscribed');
    if (requested.startsWith('presence-')) this.joinPresence(client, requested);
    this.deps.data.bridge.signal(client.owner, 'subscribe', { protocol: 'socketio', channel, resource });
    if (!read) return;
    const filter = `${channel}/${resource === '*' ? '#' : resource}`;
    for (const last of this.deps.data.lastValues(client.owner, filter)) {
      if (!last.ispublic && !authorized) continue;
      client.socket.emit('message', {
        channel: requested,
        resource: last.resource,
        data: last.record.data,
        ts: last.record.ts,
        ispublic: last.ispublic,
      });
    }
  }

  /**
   * A signature over the Engine.IO id, or a channel or IAM token (in the subscription or the connection)
   * granting what the subscription asks: data:read to read, data:write to write (signaling: admin:connection:read).
   */
  private isAuthorized(
    client: WsClient,
    channel: string,
    resource: string,
    d: Record<string, unknown>,
    wants: { read: boolean; write: boolean },
  ): boolean {
    const accounts = this.deps.data.accounts;
    if (typeof d.sig === 'string') {
      const colon = d.sig.indexOf(':');
      const account = colon > 0 ? accounts.accountByApiKey(d.sig.slice(0, colon)) : null;
      if (!account || account.owner !== client.owner) return false;
      const userid = typeof d.userid === 'string' && d.userid ? `:userid=${d.userid}` : '';
      const text = `${engineId(client.socket)}:${String(d.channel)}.${String(d.resource)}:ttl=${String(d.ttl)}:read=${String(d.read)}:write=${String(d.write)}${userid}`;
      return safeEqual(createHmac('sha1', account.secretKey).update(text).digest('base64'), d.sig.slice(colon + 1));
    }
    const principal = typeof d.token === 'string' ? accounts.resolveToken(d.token) : client.principal;
    if (!principal || principal.owner !== client.owner) return false;
    if (channel === 'signaling') return principal.kind === 'iam' && mayAdmin(principal, 'connection', 'read');
    return (
      (!wants.read || mayData(principal, 'read', channel, resource)) &&
      (!wants.write || mayData(principal, 'write', channel, resource))
    );
  }

  /** The new member learns who is there (`connected`), the others that it came (`join`). */
  private joinPresence(client: WsClient, requested: string): void {
    const { members, joined } = this.presence.join(client.owner, requested, client, client.member);
    client.socket.emit('message', presenceMessage(requested, 'connected', members));
    if (joined) this.presenceEvent(client.owner, requested, 'join', client.member, client);
  }

  /** To every other reading subscription of the presence channel, in the same account. */
  private presenceEvent(owner: string, requested: string, event: 'join' | 'leave', member: Member, except?: WsClient): void {
    for (const other of this.clients) {
      if (other === except || other.owner !== owner) continue;
      if (![...other.subs.values()].some((s) => s.requested === requested && s.read && s.authorized)) continue;
      other.socket.emit('message', presenceMessage(requested, event, member));
    }
    const channel = requested.slice('presence-'.length);
    this.deps.data.bridge.tell(owner, event, { protocol: 'socketio', channel, resource: '*', clientid: member.userid });
  }

  private unsubscribe(client: WsClient, d: Record<string, unknown>): void {
    const requested = typeof d.channel === 'string' ? d.channel : '';
    const resource = typeof d.resource === 'string' && d.resource ? d.resource : '*';
    const existed = client.subs.delete(`${requested}.${resource}`);
    client.socket.emit('control', {
      event: existed ? 'unsubscribed' : 'unsubscribeError',
      data: { channel: requested, resource },
      ...(existed ? {} : { message: 'no such subscription' }),
    });
    if (existed && requested.startsWith('presence-') && ![...client.subs.values()].some((s) => s.requested === requested)) {
      const member = this.presence.leave(client.owner, requested, client);
      if (member) this.presenceEvent(client.owner, requested, 'leave', member);
    }
    if (existed) {
      const channel = requested.replace(/^(private|presence)-/, '');
      this.deps.data.bridge.signal(client.owner, 'unsubscribe', { protocol: 'socketio', channel, resource });
    }
  }

  private publish(client: WsClient, d: Record<string, unknown>, persist: boolean): void {
    const requested = typeof d.channel === 'string' ? d.channel : '';
    const resource = typeof d.resource === 'string' ? d.resource : '';
    const failure = persist ? 'writeError' : 'publishError';
    const sub = client.subs.get(`${requested}.${resource}`) ?? client.subs.get(`${requested}.*`);
    const fail = (message: string): void => {
      client.socket.emit('control', { event: failure, data: { channel: requested, resource }, message });
    };
    if (!sub || !sub.write || !sub.authorized) return fail('no write permission: subscribe with write: true first');
    if (!NAME_PATTERN.test(resource)) return fail('resource must be 2–64 letters, digits or _');
    if (nestedTooDeep(d.data)) return fail(`data is nested more than ${MAX_JSON_DEPTH} levels deep`);
    const message: BridgeMessage = {
      owner: client.owner,
      channel: sub.channel,
      resource,
      data: d.data ?? null,
      ispublic: requested === sub.channel ? d.ispublic !== false : false,
      ts: typeof d.ts === 'number' && Number.isFinite(d.ts) && d.ts > 0 ? d.ts : Date.now(), // ts 0: reception time
    };
    try {
      if (persist) this.deps.data.write(message, 'ws');
      else this.deps.data.publish(message, 'ws');
    } catch (err) {
      fail(err instanceof SandboxError ? err.message : 'write failed');
    }
  }

  private deliver(message: BridgeMessage): void {
    for (const client of this.clients) {
      if (client.owner !== message.owner) continue;
      const sub = pickSubscription(client, message);
      if (!sub) continue;
      client.socket.emit('message', {
        channel: sub.requested,
        resource: message.resource,
        data: message.data,
        ts: message.ts,
        ispublic: message.ispublic,
      });
    }
  }
}

/** One delivery per socket: an exact subscription wins over a wildcard one; private needs authorisation. */
function pickSubscription(client: WsClient, message: BridgeMessage): WsSubscription | null {
  let wildcard: WsSubscription | null = null;
  for (const sub of client.subs.values()) {
    if (sub.channel !== message.channel || !sub.read) continue;
    if (!message.ispublic && !sub.authorized) continue;
    if (sub.resource === message.resource) return sub;
    if (sub.resource === '*') wildcard ??= sub;
  }
  return wildcard;
}

/** The Engine.IO session id (what the official SDK signs as `sid`); typed private in engine.io. */
function engineId(socket: Socket): string {
  return (socket.conn as unknown as { id: string }).id;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function presenceMessage(channel: string, event: string, data: unknown) {
  return { channel, resource: event, data, ts: Date.now(), ispublic: false };
}
