import type * as Database from './sqlite-types.js';
import type { OutgoingProperties } from '../../api.js';
import { DeadLetters, type HeldTotals } from './dead-letters.js';
import { InFlight } from './inflight.js';

const MiB = 1024 * 1024;

export interface OutboxLimits {
  /** per profile */
  maxMessages: number;
  /** per profile, payload bytes */
  maxBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxMessages: 10_000, maxBytes: 64 * MiB };

export interface OutboxInput {
  profileId: string;
  /** names the profile in the "outbox full" error; not stored */
  profileName?: string;
  topic: string;
  payload: Buffer;
  /** 2: exactly once, generic brokers only (the manager refuses it for Beebotte) */
  qos: 1 | 2;
  retain: boolean;
  /** MQTT 5 properties to publish it with */
  props?: OutgoingProperties | undefined;
}

export interface OutboxItem extends OutboxInput {
  id: number;
  createdAt: number;
}

export class OutboxFullError extends Error {
  constructor(
    readonly profileId: string,
    readonly limit: string,
    profileName?: string,
    dead = 0,
  ) {
    const who = profileName ? `"${profileName}"` : `profile ${profileId}`;
    const aside = dead ? `; ${dead} of them are dead letters: retry or discard them` : '';
    super(
      `outbox full (${limit}) for ${who}: nothing more is queued until it reconnects and delivers the waiting messages${aside}`,
    );
    this.name = 'OutboxFullError';
  }
}

interface Row {
  id: number;
  profile_id: string;
  topic: string;
  qos: 1 | 2;
  retain: number;
  created_at: number;
  payload: Buffer;
  props: string | null;
}

/**
 * QoS 1 publishes made while a profile is disconnected, kept in SQLite so they survive a restart,
 * delivered in insertion order after reconnect. Delivery is at least once: a message sent just
 * before a crash may be sent again (QoS 1 allows duplicates; receivers must tolerate them).
 * A message set aside as a dead letter (`deadLetters`) stays in the table, out of the queue, until the
 * user retries or discards it; it still counts against the bounds.
 */
export class Outbox {
  readonly deadLetters: DeadLetters;
  /** QoS 2 packets mid-handshake (mqtt.js's outgoing store): their rows are delivered by mqtt.js, not peeked */
  readonly inFlight: InFlight;
  private readonly limits: OutboxLimits;
  private readonly usageStmt: Database.Statement;
  private readonly insertStmt: Database.Statement;
  private readonly peekStmt: Database.Statement;
  private readonly removeStmt: Database.Statement;
  private readonly clearStmt: Database.Statement;
  private readonly enqueueTx: Database.Transaction<(item: OutboxInput) => number>;
  /** per profile: every row held (queued and dead letters) and their bytes, and how many of them are dead letters */
  private readonly totals = new Map<string, { count: number; bytes: number; dead: number }>();

  constructor(db: Database.Database, limits: Partial<OutboxLimits> = {}) {
    this.limits = { ...DEFAULT_OUTBOX_LIMITS, ...limits };
    this.usageStmt = db.prepare(
      'SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes, count(dead_at) AS dead FROM outbox WHERE profile_id = ?',
    );
    this.insertStmt = db.prepare(
      'INSERT INTO outbox (profile_id, topic, qos, retain, created_at, size, payload, props) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.peekStmt = db.prepare(
      `SELECT id, profile_id, topic, qos, retain, created_at, payload, props FROM outbox WHERE profile_id = @profileId AND dead_at IS NULL
         AND id NOT IN (SELECT outbox_id FROM mqtt_inflight WHERE profile_id = @profileId AND outbox_id IS NOT NULL)
       ORDER BY id ASC LIMIT @limit`,
    );
    this.removeStmt = db.prepare('DELETE FROM outbox WHERE id = ? AND dead_at IS NULL RETURNING profile_id, size');
    this.clearStmt = db.prepare('DELETE FROM outbox WHERE profile_id = ?');
    // check and insert in one transaction: the bound holds even with several writers
    this.enqueueTx = db.transaction((item: OutboxInput) => {
      const usage = this.running(item.profileId);
      if (usage.count + 1 > this.limits.maxMessages) {
        throw new OutboxFullError(item.profileId, `${this.limits.maxMessages} messages`, item.profileName, usage.dead);
      }
      if (usage.bytes + item.payload.length > this.limits.maxBytes) {
        throw new OutboxFullError(
          item.profileId,
          `${formatBytes(this.limits.maxBytes)} of payloads`,
          item.profileName,
          usage.dead,
        );
      }
      const info = this.insertStmt.run(
        item.profileId,
        item.topic,
        item.qos,
        item.retain ? 1 : 0,
        Date.now(),
        item.payload.length,
        item.payload,
        item.props ? JSON.stringify(item.props) : null,
      );
      usage.count += 1;
      usage.bytes += item.payload.length;
      return Number(info.lastInsertRowid);
    });
    const held: HeldTotals = {
      adjust: (profileId, change) => {
        const usage = this.totals.get(profileId);
        if (!usage) return; // not loaded yet: read from the table when first needed
        usage.count += change.count ?? 0;
        usage.bytes += change.bytes ?? 0;
        usage.dead += change.dead ?? 0;
      },
    };
    this.deadLetters = new DeadLetters(db, held);
    this.inFlight = new InFlight(db);
  }

  /** Queues a message; throws OutboxFullError when the profile's outbox is at its bound. */
  enqueue(item: OutboxInput): number {
    if (typeof item.profileId !== 'string' || item.profileId === '') throw new TypeError('outbox: profileId is required');
    if (typeof item.topic !== 'string' || item.topic === '') throw new TypeError('outbox: topic is required');
    if (!Buffer.isBuffer(item.payload)) throw new TypeError('outbox: payload must be a Buffer');
    if (item.qos !== 1 && item.qos !== 2) throw new TypeError('outbox: only QoS 1 and 2 messages are queued (QoS 0 is fire and forget)');
    return this.enqueueTx.immediate(item);
  }

  /** The oldest queued messages of a profile, in the order they were queued (dead letters are not queued). */
  peek(profileId: string, limit: number): OutboxItem[] {
    const n = Math.max(1, Math.min(10_000, Math.trunc(limit) || 1));
    return (this.peekStmt.all({ profileId, limit: n }) as Row[]).map((r) => ({
      id: r.id,
      profileId: r.profile_id,
      topic: r.topic,
      qos: r.qos === 2 ? 2 : 1,
      retain: r.retain === 1,
      createdAt: r.created_at,
      payload: r.payload,
      ...(r.props ? { props: JSON.parse(r.props) as OutgoingProperties } : {}),
    }));
  }

  /** Removes a delivered message. Returns false when it was not there (already removed, or a dead letter). */
  remove(id: number): boolean {
    const row = this.removeStmt.get(id) as { profile_id: string; size: number } | undefined;
    if (!row) return false;
    const usage = this.totals.get(row.profile_id);
    if (usage) {
      usage.count -= 1;
      usage.bytes -= row.size;
    }
    return true;
  }

  /** Messages waiting to be delivered (dead letters are not). */
  count(profileId: string): number {
    const { count, dead } = this.running(profileId);
    return count - dead;
  }

  /** Sets a queued message aside as a dead letter (see dead-letters.ts). False when it is not queued. */
  deadLetter(id: number, reason: string): boolean {
    return this.deadLetters.move(id, reason) !== null;
  }

  /** Dead letters of a profile: set aside, waiting for the user's retry or discard. */
  deadCount(profileId: string): number {
    return this.running(profileId).dead;
  }

  /** What counts against the bounds: queued messages and dead letters, and their payload bytes. */
  usage(profileId: string): { count: number; bytes: number } {
    const { count, bytes } = this.running(profileId);
    return { count, bytes };
  }

  /** Drops every message of a profile, dead letters too (its profile is being removed). Returns how many. */
  clear(profileId: string): number {
    this.totals.delete(profileId);
    this.inFlight.clear(profileId);
    return this.clearStmt.run(profileId).changes;
  }

  /**
   * Running totals per profile, read from the table once and then kept in step by enqueue/remove/clear:
   * counting the whole queue on every enqueue made queueing 10,000 messages quadratic. This process is the
   * outbox's only writer.
   */
  private running(profileId: string): { count: number; bytes: number; dead: number } {
    let usage = this.totals.get(profileId);
    if (!usage) {
      const row = this.usageStmt.get(profileId) as { n: number; bytes: number; dead: number };
      usage = { count: row.n, bytes: row.bytes, dead: row.dead };
      this.totals.set(profileId, usage);
    }
    return usage;
  }
}

function formatBytes(n: number): string {
  return n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : `${n} bytes`;
}
