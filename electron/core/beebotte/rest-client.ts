import type { ChannelInfo, HistoryBucketDTO, HistoryReadResult, ReadPoint } from '../../api.js';
import type { ReadSource } from '../../common/read-ranges.js';
import { signedHeaders } from './signing.js';

/** What a read asks for: a time range or start/end (ms), raw or statistics, one in `sampleRate`, at most `limit`. */
export interface ReadOptions {
  limit?: number;
  timeRange?: string;
  start?: number;
  end?: number;
  source?: ReadSource;
  sampleRate?: number;
}

type RawRow = { _id?: unknown; ts?: unknown; data?: unknown; count?: unknown; min?: unknown; max?: unknown; sum?: unknown; mean?: unknown };

export type RestAuth = { kind: 'token'; token: string } | { kind: 'keys'; apiKey: string; secretKey: string };

/** Beebotte's error codes, in words a user can act on. */
const CODE_TEXT: Record<number, string> = {
  1101: 'authentication failed: check the API key and secret key (or the token)',
  1102: 'not allowed with this credential: account management needs the API key + secret key (or an IAM token with admin rights)',
  1300: 'not found',
  1301: 'channel not found',
  1302: 'resource not found',
  1303: 'not found',
  1401: 'a parameter is invalid',
  1403: 'validation failed',
  1404: 'the value does not match the resource type',
  1405: 'already exists',
  1406: 'message too long',
};

export class BeebotteRestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'BeebotteRestError';
  }
}

/** A small Beebotte REST v1 client: token or signed requests, JSON in and out, readable errors. */
export class BeebotteRest {
  constructor(
    readonly baseUrl: string,
    private readonly auth: RestAuth,
    private readonly timeoutMs = 15_000,
  ) {}

  get canAdmin(): boolean {
    return this.auth.kind === 'keys' || this.auth.token.startsWith('iamtkn_');
  }

  async request<T>(verb: 'GET' | 'POST' | 'DELETE' | 'PUT', path: string, payload?: unknown): Promise<T> {
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    const headers: Record<string, string> =
      this.auth.kind === 'keys'
        ? signedHeaders(this.auth.apiKey, this.auth.secretKey, verb, path, body)
        : { 'X-Auth-Token': this.auth.token, ...(body ? { 'Content-Type': 'application/json' } : {}) };
    const host = new URL(this.baseUrl).host;
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method: verb,
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new BeebotteRestError(0, null, `cannot reach ${host} (${cause}): check the network and the host`);
    }
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      // a proxy's HTML error page, say
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: number; message?: string } } | null)?.error;
      const code = typeof error?.code === 'number' ? error.code : null;
      const known = code !== null ? CODE_TEXT[code] : undefined;
      const detail = error?.message && error.message !== known ? ` (${error.message})` : '';
      throw new BeebotteRestError(
        res.status,
        code,
        `${host} answered ${res.status}${code ? `/${code}` : ''}: ${known ?? 'request failed'}${detail}`,
      );
    }
    return json as T;
  }

  channels(): Promise<ChannelInfo[]> {
    return this.request<unknown[]>('GET', '/v1/channels').then((list) => list.map(toChannelInfo));
  }

  channel(name: string): Promise<ChannelInfo & { token?: string }> {
    return this.request<Record<string, unknown>>('GET', `/v1/channels/${enc(name)}`).then((c) => ({
      ...toChannelInfo(c),
      ...(typeof c.token === 'string' ? { token: c.token } : {}),
    }));
  }

  createChannel(channel: {
    name: string;
    label?: string;
    description?: string;
    ispublic: boolean;
    resources: ChannelInfo['resources'];
  }): Promise<ChannelInfo> {
    // the answer of a GET carries the channel token: keep it out of what callers may print or send on
    return this.request<unknown>('POST', '/v1/channels', channel)
      .then(() => this.channel(channel.name))
      .then(({ token: _token, ...info }) => info);
  }

  deleteChannel(name: string): Promise<unknown> {
    return this.request('DELETE', `/v1/channels/${enc(name)}`);
  }

  resources(channel: string): Promise<ChannelInfo['resources']> {
    return this.request<unknown[]>('GET', `/v1/channels/${enc(channel)}/resources`).then((list) =>
      (Array.isArray(list) ? list : []).map((r) => toResourceInfo(r)),
    );
  }

  createResource(channel: string, resource: ChannelInfo['resources'][number]): Promise<unknown> {
    return this.request('POST', `/v1/channels/${enc(channel)}/resources`, resource);
  }

  deleteResource(channel: string, resource: string): Promise<unknown> {
    return this.request('DELETE', `/v1/channels/${enc(channel)}/resources/${enc(resource)}`);
  }

  /** Returns the new token; Beebotte drops the live connections that used the old one. */
  async regenerateToken(channel: string): Promise<string> {
    const result = await this.request<Record<string, unknown>>('GET', `/v1/channels/${enc(channel)}/token/regenerate`);
    const token = typeof result?.token === 'string' ? result.token : (await this.channel(channel)).token;
    if (!token) throw new BeebotteRestError(200, null, 'the server did not return the new token');
    return token;
  }

  /** Stored records as `{ts, data}`, oldest first (the explorer's chart); `readRecords` for ids and statistics. */
  read(channel: string, resource: string, opts: ReadOptions = {}): Promise<ReadPoint[]> {
    return this.readRaw(channel, resource, opts).then((rows) =>
      rows.filter((r) => typeof r.ts === 'number').map((r) => ({ ts: r.ts as number, data: r.data })),
    );
  }

  /**
   * A read as the History explorer shows it: raw records with their ids, or hourly / daily buckets with
   * count, min, max, mean and sum. Oldest first, at most `limit` (the newest in the window).
   */
  async readRecords(channel: string, resource: string, opts: ReadOptions = {}): Promise<HistoryReadResult> {
    const rows = await this.readRaw(channel, resource, opts);
    if (!opts.source || opts.source === 'raw') {
      const records = rows.filter((r) => typeof r.ts === 'number' && r._id !== undefined && r._id !== null);
      return { source: 'raw', records: records.map((r) => ({ id: String(r._id), ts: r.ts as number, data: r.data })) };
    }
    return { source: opts.source, buckets: rows.filter((r) => typeof r.ts === 'number').map(toBucket) };
  }

  /** Replaces one stored record's value (and its time when `ts` is given); Beebotte checks the vtype. */
  updateRecord(channel: string, resource: string, id: string, data: unknown, ts?: number): Promise<unknown> {
    return this.request('POST', `/v1/data/update/${enc(channel)}/${enc(resource)}`, { _id: id, data, ...(ts ? { ts } : {}) });
  }

  deleteRecord(channel: string, resource: string, id: string): Promise<unknown> {
    return this.request('DELETE', `/v1/data/delete/${enc(channel)}/${enc(resource)}?_id=${encodeURIComponent(id)}`);
  }

  private readRaw(channel: string, resource: string, opts: ReadOptions): Promise<RawRow[]> {
    const query = new URLSearchParams();
    if (opts.limit) query.set('limit', String(opts.limit));
    if (opts.timeRange) query.set('time-range', opts.timeRange);
    // Beebotte documents ISO dates for start-time/end-time; the sandbox takes both forms
    if (opts.start !== undefined) query.set('start-time', new Date(opts.start).toISOString());
    if (opts.end !== undefined) query.set('end-time', new Date(opts.end).toISOString());
    if (opts.source && opts.source !== 'raw') query.set('source', opts.source);
    if (opts.sampleRate && opts.sampleRate > 1) query.set('sample-rate', String(opts.sampleRate));
    const qs = query.toString();
    return this.request<unknown>('GET', `/v1/data/read/${enc(channel)}/${enc(resource)}${qs ? `?${qs}` : ''}`).then((rows) => {
      if (!Array.isArray(rows)) throw new BeebotteRestError(200, null, 'the server answered a read with something other than a list of records');
      return rows as RawRow[];
    });
  }

  publish(channel: string, resource: string, data: unknown): Promise<unknown> {
    return this.request('POST', `/v1/data/publish/${enc(channel)}/${enc(resource)}`, { data });
  }

  write(channel: string, resource: string, data: unknown): Promise<unknown> {
    return this.request('POST', `/v1/data/write/${enc(channel)}/${enc(resource)}`, { data });
  }
}

/** A statistics row; the sandbox sends the mean as `data` (so a plain reader plots means), with count/min/max/sum. */
function toBucket(r: RawRow): HistoryBucketDTO {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const count = num(r.count) ?? 0;
  const sum = num(r.sum);
  const mean = num(r.mean) ?? num(r.data) ?? (count > 0 && sum !== null ? sum / count : null);
  return { ts: r.ts as number, count, min: num(r.min), max: num(r.max), mean, sum };
}

function enc(name: string): string {
  return encodeURIComponent(name);
}

function toChannelInfo(raw: unknown): ChannelInfo {
  const c = (raw ?? {}) as Record<string, unknown>;
  const resources = Array.isArray(c.resources) ? (c.resources as Record<string, unknown>[]) : [];
  return {
    name: String(c.name ?? ''),
    ...(typeof c.label === 'string' ? { label: c.label } : {}),
    ...(typeof c.description === 'string' ? { description: c.description } : {}),
    ispublic: c.ispublic === true,
    resources: resources.map(toResourceInfo),
  };
}

function toResourceInfo(raw: unknown): ChannelInfo['resources'][number] {
  const r = (raw ?? {}) as Record<string, unknown>;
  return {
    name: String(r.name ?? ''),
    ...(typeof r.label === 'string' ? { label: r.label } : {}),
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    vtype: typeof r.vtype === 'string' ? r.vtype : 'any',
    sendOnSubscribe: r.sendOnSubscribe === true,
  };
}
