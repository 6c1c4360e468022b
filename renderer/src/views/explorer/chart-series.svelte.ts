/**
 * One line on a chart: numbers at a path of one topic's payloads over a time window. History comes from the core
 * (messages.series reads the store and decodes with the topic's codec) and, for Beebotte topics, from Beebotte's
 * REST history; then live messages are added, coalesced per frame and kept inside the window.
 */
import type { MessageDTO, ReadPoint } from '../../../../electron/api';
import { defaultNumericPath, numberAt } from '../../../../electron/common/numeric-fields';
import { api } from '../../lib/api';
import { catchUp, leftOut } from '../../lib/catch-up';
import { errorText } from '../../lib/format';
import { perFrame } from '../../lib/frame';
import { decodedValue } from '../../lib/payload';
import { splitBeebotte } from '../../lib/topics';

export const WINDOWS = [
  { id: '5m', label: '5 min', ms: 5 * 60_000, rest: '5minute' },
  { id: '1h', label: '1 h', ms: 3_600_000, rest: '1hour' },
  { id: '24h', label: '24 h', ms: 86_400_000, rest: '24hour' },
  { id: '7d', label: '7 d', ms: 7 * 86_400_000, rest: '7day' },
] as const;
export type ChartWindow = (typeof WINDOWS)[number];

/** bumped when the codec rules change: charts read their history again, decoded the new way */
export const codecRules = $state({ version: 0 });

/** points kept per series: a 7-day window of a 1/s topic is thinned by the store's limit, live ones are bounded too */
const KEEP = 20_000;
/** how far before the last whole batch a catch-up reads from (page and core clocks, batches the host held) */
const GAP_MARGIN_MS = 5000;

const pointKey = (p: [number, number]): string => `${p[0]}|${p[1]}`;

export interface SeriesSpec {
  profileId: string;
  topic: string;
  /** a JSON path into the decoded payload; null = the first numeric field (picked from the data) */
  path: string | null;
}

export class ChartSeries {
  /** [ms since epoch, value], oldest first */
  points = $state.raw<[number, number][]>([]);
  /** the path drawn: the one asked for, or the one picked from the data */
  path = $state<string | null>(null);
  /** numeric fields seen in the payloads (the field picker) */
  fields = $state.raw<string[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private pending: [number, number][] = [];
  private readonly off: () => void;
  private readonly schedule = perFrame(() => this.flush());
  private alive = true;
  /** batches that left messages out (a flood, a page behind): this topic's may be among them, read them back */
  private readonly catchUp = catchUp(() => this.reread());
  private lastWhole = Date.now();
  private gapSince: number | null = null;
  /** the newest point read from Beebotte's REST history: up to there REST's points stand for the store's */
  private restUntil = 0;

  constructor(
    readonly spec: SeriesSpec,
    readonly window: ChartWindow,
    /** a Beebotte profile: REST history for channel/resource topics */
    beebotte: boolean,
  ) {
    this.path = spec.path;
    this.off = api.on('messages.batch', (batch) => {
      for (const m of batch.messages) if (m.topic === spec.topic && m.profileId === spec.profileId) this.live(m);
      if (!leftOut(batch)) this.lastWhole = Date.now();
      else {
        // what was left out arrived after the last whole batch (a few seconds' margin for the clocks and the host)
        this.gapSince ??= this.lastWhole - GAP_MARGIN_MS;
        this.catchUp.gap();
      }
    });
    void this.load(beebotte);
  }

  private async load(beebotte: boolean): Promise<void> {
    const since = Date.now() - this.window.ms;
    const parts = beebotte ? splitBeebotte(this.spec.topic) : null;
    const rest = parts
      ? api
          .call('beebotte.read', { profileId: this.spec.profileId, ...parts, timeRange: this.window.rest, limit: 5000 })
          .catch((e: unknown) => ((this.error = `Beebotte history unavailable: ${errorText(e)}`), [] as ReadPoint[]))
      : Promise.resolve([] as ReadPoint[]);
    try {
      const [stored, remote] = await Promise.all([
        api.call('messages.series', {
          profileId: this.spec.profileId,
          topic: this.spec.topic,
          since,
          ...(this.spec.path !== null ? { path: this.spec.path } : {}),
        }),
        rest,
      ]);
      if (!this.alive) return;
      this.path ??= stored.path;
      this.fields = stored.fields;
      const fromRest = this.restPoints(remote);
      this.restUntil = fromRest.at(-1)?.[0] ?? 0;
      // REST first (it reaches further back), then what this app stored after it; live points already in stay
      const merged = fromRest.concat(stored.points.filter((p) => p[0] > this.restUntil));
      const firstLive = this.points[0]?.[0] ?? Infinity;
      this.points = merged
        .filter((p) => p[0] < firstLive)
        .concat(this.points)
        .slice(-KEEP);
    } catch (e) {
      if (this.alive) this.error = errorText(e);
    } finally {
      if (this.alive) this.loading = false;
    }
  }

  /** Beebotte's points carry the `data` value: read as the envelope it came in, so `data`/`data.temp` apply. */
  private restPoints(points: ReadPoint[]): [number, number][] {
    const out: [number, number][] = [];
    for (const p of points.slice().sort((a, b) => a.ts - b.ts)) {
      const value = { data: p.data };
      this.path ??= defaultNumericPath(value);
      const n = this.path === null ? null : numberAt(value, this.path);
      if (n !== null) out.push([p.ts, n]);
    }
    return out;
  }

  private live(m: MessageDTO): void {
    const value = decodedValue(m);
    if (this.path === null) {
      this.path = defaultNumericPath(value);
      if (this.path === null) return;
    }
    const n = numberAt(value, this.path);
    if (n === null) return;
    this.pending.push([m.envelope?.ts ?? m.receivedAt, n]);
    this.schedule();
  }

  private flush(): void {
    if (!this.pending.length || !this.alive) return;
    const from = Date.now() - this.window.ms;
    this.points = this.points
      .concat(this.pending)
      .filter((p) => p[0] >= from)
      .slice(-KEEP);
    this.pending = [];
  }

  /** The stored points since the first gap, merged in: a point already drawn (same time, same value) stays once. */
  private async reread(): Promise<void> {
    const since = Math.max(0, Math.floor(this.gapSince ?? Date.now() - GAP_MARGIN_MS));
    this.gapSince = null;
    const startedAt = Date.now();
    const stored = await api.call('messages.series', {
      profileId: this.spec.profileId,
      topic: this.spec.topic,
      since,
      ...(this.path !== null ? { path: this.path } : {}),
    });
    // what was stored before this read is in it: under a long flood the next catch-up starts from here (less the
    // margin, which covers a writer a few seconds behind), not again from the flood's first second. Only once the
    // read succeeded: a failed one is tried again from where it began.
    this.lastWhole = Math.max(this.lastWhole, startedAt);
    if (!this.alive || stored.points.length === 0) return;
    this.path ??= stored.path;
    this.flush();
    const first = stored.points.reduce((min, p) => Math.min(min, p[0]), Infinity);
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup inside this call, never rendered
    const drawn = new Set(this.points.filter((p) => p[0] >= first).map(pointKey));
    // a reading REST already gave (at the server's time, a few ms off the store's) is not drawn twice
    const missed = stored.points.filter((p) => p[0] > this.restUntil && !drawn.has(pointKey(p)));
    if (missed.length === 0) return;
    const from = Date.now() - this.window.ms;
    this.points = this.points
      .concat(missed)
      .filter((p) => p[0] >= from)
      .sort((a, b) => a[0] - b[0])
      .slice(-KEEP);
  }

  dispose(): void {
    this.alive = false;
    this.off();
    this.catchUp.dispose();
  }
}
