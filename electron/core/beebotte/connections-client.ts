/**
 * Beebotte's connection admin routes (`GET /v1/connections`, `DELETE /v1/connections/drop/:userid`) on top of
 * the REST client: who is connected to the account now, and dropping one. The answers are read defensively
 * (a field Beebotte leaves out stays out), and a credential without `admin:connection:*` gets words that say
 * which right is missing instead of the generic "not allowed".
 */
import { BeebotteRestError, type BeebotteRest } from './rest-client.js';
import { explainMissingRight } from './rights.js';

export interface BeebotteConnection {
  userid: string;
  /** the MQTT client id as the client sent it (Beebotte's `clientid`; the userid when absent) */
  clientid: string;
  sid: string;
  /** `mqtt` (cleartext or TLS: Beebotte reports both so), `socketio`, or what the server says */
  protocol: string;
  /** true only when the server says so (`mqtts`); Beebotte reports TLS clients as `mqtt`, so mostly null */
  tls: boolean | null;
  /** the channel token's channel; absent for the account's keys and IAM tokens */
  channel: string | null;
  clientip: string | null;
  /** ms since epoch, when the server gives it */
  connectedAt: number | null;
}

const RIGHTS = {
  read: 'listing connections needs the account credentials (API key + secret key) or an IAM token with admin:connection:read — a channel token cannot',
  write: 'dropping a connection needs the account credentials (API key + secret key) or an IAM token with admin:connection:write',
} as const;

export async function listConnections(rest: BeebotteRest): Promise<BeebotteConnection[]> {
  const rows = await explainRights('read', () => rest.request<unknown>('GET', '/v1/connections'));
  if (!Array.isArray(rows)) throw new BeebotteRestError(200, null, 'the server answered /v1/connections with something that is not a list');
  return rows.map(toConnection).filter((c): c is BeebotteConnection => c !== null);
}

/** Drops every connection of `userid` (Beebotte answers an empty 200 whether or not there was one). */
export async function dropConnection(rest: BeebotteRest, userid: string): Promise<void> {
  // URLs resolve `.` and `..` segments (encoded too): DELETE …/drop/.. would reach another route
  if (userid === '.' || userid === '..' || /^%2e%2e?$/i.test(userid))
    throw new BeebotteRestError(0, null, `the client id "${userid}" cannot be named in Beebotte's drop route: drop it by another way (regenerate its token)`);
  await explainRights('write', () => rest.request<unknown>('DELETE', `/v1/connections/drop/${encodeURIComponent(userid)}`));
}

function explainRights<T>(kind: keyof typeof RIGHTS, work: () => Promise<T>): Promise<T> {
  return explainMissingRight(work, () => RIGHTS[kind]);
}

function toConnection(raw: unknown): BeebotteConnection | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const userid = str(r.userid) ?? str(r.clientid);
  if (!userid) return null;
  const protocol = str(r.protocol) ?? 'unknown';
  const at = typeof r.connected_at === 'number' ? r.connected_at : typeof r.connected_at === 'string' ? Date.parse(r.connected_at) : NaN;
  return {
    userid,
    clientid: str(r.clientid) ?? userid,
    sid: str(r.sid) ?? '',
    protocol: protocol === 'mqtts' ? 'mqtt' : protocol,
    tls: protocol === 'mqtts' ? true : null,
    channel: str(r.channel) && r.channel !== '*' ? (r.channel as string) : null,
    clientip: str(r.clientip),
    connectedAt: Number.isFinite(at) ? at : null,
  };
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
