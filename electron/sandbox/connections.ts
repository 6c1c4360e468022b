/** Live MQTT and WebSocket connections, per account: listed and dropped over REST, dropped on token change. */
import type { Principal } from './model.js';

export type ConnectionProtocol = 'mqtt' | 'mqtts' | 'socketio';

export interface LiveConnection {
  owner: string;
  userid: string;
  sid: string;
  protocol: ConnectionProtocol;
  /** The channel or IAM token this connection authenticated with, if any (never serialised). */
  token?: string;
  channel?: string;
  remote?: string;
  connectedAt: number;
  drop(): void;
}

export interface ConnectionFilter {
  userid?: string;
  sid?: string;
  protocol?: string;
}

/** What REST answers for a connection: no credentials. */
export interface ConnectionView {
  owner: string;
  userid: string;
  /** the MQTT client id (or the WebSocket userid) as the client sent it: bbt_node's tests read it */
  clientid: string;
  sid: string;
  protocol: ConnectionProtocol;
  channel?: string;
  clientip?: string;
  connected_at: number;
}

export class ConnectionRegistry {
  private readonly live = new Set<LiveConnection>();

  add(connection: LiveConnection): () => void {
    this.live.add(connection);
    return () => this.live.delete(connection);
  }

  list(owner: string, filter: ConnectionFilter = {}): LiveConnection[] {
    return [...this.live].filter(
      (c) =>
        c.owner === owner &&
        (filter.userid === undefined || c.userid === filter.userid) &&
        (filter.sid === undefined || c.sid === filter.sid) &&
        (filter.protocol === undefined ||
          c.protocol === filter.protocol ||
          (filter.protocol === 'mqtt' && c.protocol === 'mqtts')),
    );
  }

  drop(owner: string, filter: ConnectionFilter): ConnectionView[] {
    const victims = this.list(owner, filter);
    for (const c of victims) {
      this.live.delete(c);
      c.drop();
    }
    return victims.map(view);
  }

  dropToken(owner: string, token: string): number {
    const victims = [...this.live].filter((c) => c.owner === owner && c.token === token);
    for (const c of victims) {
      this.live.delete(c);
      c.drop();
    }
    return victims.length;
  }
}

/** What a connection records of its credential: the token (to drop it on revocation) and a channel token's channel. */
export function credentialOf(p: Principal | null): { token?: string; channel?: string } {
  if (p?.kind === 'channel') return { token: p.token, channel: p.channel };
  if (p?.kind === 'iam') return { token: p.token };
  return {};
}

export function view(c: LiveConnection): ConnectionView {
  const v: ConnectionView = {
    owner: c.owner,
    userid: c.userid,
    clientid: c.userid,
    sid: c.sid,
    protocol: c.protocol === 'mqtts' ? 'mqtt' : c.protocol, // as Beebotte reports TLS clients (the SDK's tests)
    connected_at: c.connectedAt,
  };
  if (c.channel) v.channel = c.channel;
  if (c.remote) v.clientip = c.remote;
  return v;
}
