import type { OutgoingProperties } from '../../api.js';
import type { InFlight } from '../store/inflight.js';
import type { OutboxInput } from '../store/outbox.js';

/** What the manager needs of the outbox (store/outbox.ts implements it). */
export interface OutboxPort {
  enqueue(item: OutboxInput): number;
  peek(profileId: string, limit: number): QueuedItem[];
  remove(id: number): void;
  count(profileId: string): number;
  /** sets a queued message aside as a dead letter, with why (it is never deleted here) */
  deadLetter(id: number, reason: string): void;
  deadCount(profileId: string): number;
  /** QoS 2 packets mid-handshake, kept across restarts (absent: QoS 2 state lives in memory only) */
  inFlight?: InFlight;
}

export type QueuedItem = { id: number; topic: string; payload: Buffer; retain: boolean; qos?: 1 | 2; props?: OutgoingProperties | undefined };
