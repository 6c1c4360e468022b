import v8 from 'node:v8';
import type * as Database from './sqlite-types.js';

/** A packet mqtt.js keeps until its exchange ends (a QoS 2 PUBLISH, then its PUBREL). */
export interface InFlightPacket {
  cmd: string;
  messageId?: number;
  qos?: number;
  topic?: string;
  payload?: Buffer | string;
  [key: string]: unknown;
}

/**
 * The QoS 2 packets in flight, per profile, in SQLite (table mqtt_inflight): what mqtt.js's outgoing store holds
 * between the PUBLISH and the PUBCOMP. A PUBLISH carries the id of its outbox row; the PUBREL that replaces it
 * keeps that id, and the row leaves the outbox only when the PUBCOMP deletes the packet (see session/qos2-store.ts).
 */
export class InFlight {
  private readonly putStmt: Database.Statement;
  private readonly getStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly listStmt: Database.Statement;
  private readonly clearStmt: Database.Statement;

  constructor(db: Database.Database) {
    // a PUBREL replaces its PUBLISH in place (same message id): the outbox id and the resend order stay
    this.putStmt = db.prepare(
      `INSERT INTO mqtt_inflight (profile_id, message_id, outbox_id, packet) VALUES (?, ?, ?, ?)
       ON CONFLICT (profile_id, message_id) DO UPDATE SET packet = excluded.packet, outbox_id = coalesce(excluded.outbox_id, outbox_id)`,
    );
    this.getStmt = db.prepare('SELECT packet FROM mqtt_inflight WHERE profile_id = ? AND message_id = ?');
    this.delStmt = db.prepare('DELETE FROM mqtt_inflight WHERE profile_id = ? AND message_id = ? RETURNING packet, outbox_id');
    this.listStmt = db.prepare('SELECT packet FROM mqtt_inflight WHERE profile_id = ? ORDER BY seq ASC');
    // the incoming side of a profile is kept under "in:<id>" (session/qos2-store.ts IncomingQos2Store)
    this.clearStmt = db.prepare("DELETE FROM mqtt_inflight WHERE profile_id = ? OR profile_id = 'in:' || ?");
  }

  put(profileId: string, packet: InFlightPacket, outboxId: number | null): void {
    this.putStmt.run(profileId, packet.messageId ?? 0, outboxId, v8.serialize(packet));
  }

  get(profileId: string, messageId: number): InFlightPacket | undefined {
    const row = this.getStmt.get(profileId, messageId) as { packet: Buffer } | undefined;
    return row ? revive(row.packet) : undefined;
  }

  /** Deletes the packet; returns it and the outbox row it stood for (null when none). */
  del(profileId: string, messageId: number): { packet: InFlightPacket; outboxId: number | null } | undefined {
    const row = this.delStmt.get(profileId, messageId) as { packet: Buffer; outbox_id: number | null } | undefined;
    return row ? { packet: revive(row.packet), outboxId: row.outbox_id } : undefined;
  }

  /** Oldest first: the order mqtt.js sends them again on connect. */
  list(profileId: string): InFlightPacket[] {
    return (this.listStmt.all(profileId) as { packet: Buffer }[]).map((r) => revive(r.packet));
  }

  /** The profile is removed: nothing could ever complete these. */
  clear(profileId: string): number {
    return this.clearStmt.run(profileId, profileId).changes;
  }
}

/** v8 keeps Buffers as Uint8Arrays: the packet's payload and binary properties become Buffers again. */
function revive(blob: Buffer): InFlightPacket {
  const packet = v8.deserialize(blob) as InFlightPacket;
  if (packet.payload instanceof Uint8Array && !Buffer.isBuffer(packet.payload)) packet.payload = Buffer.from(packet.payload);
  const props = packet.properties as Record<string, unknown> | undefined;
  if (props?.correlationData instanceof Uint8Array) props.correlationData = Buffer.from(props.correlationData);
  return packet;
}
