/** The parts of aedes 1.x the sandbox reaches beyond its typed API (pinned: see mqtt-broker.ts). */
import type { AedesPublishPacket, Client } from 'aedes';

/** A packet as mqtt-packet parsed it, before aedes handles it. */
export interface ParsedPacket {
  cmd: string;
  clientId?: string;
  username?: string;
  password?: Buffer;
  subscriptions?: Array<{ topic: string; qos: number }>;
  unsubscriptions?: string[];
  will?: { topic: string; payload?: Buffer | string; qos?: number; retain?: boolean } | undefined;
}

export type ClientInternals = Client & {
  _parser?: { prependListener(event: 'packet', fn: (p: ParsedPacket) => void): void };
};

/**
 * aedes hands authorizeForward either a packet shared by every subscriber (live delivery) or, when a
 * persistent session resumes, a per-client QoSPacket copy of a queued one — the only kind with a writeCallback.
 */
export function isQueuedCopy(packet: AedesPublishPacket): boolean {
  return Object.prototype.hasOwnProperty.call(packet, 'writeCallback');
}
