import { Readable } from 'node:stream';
import type { IStore } from 'mqtt';
import type { InFlight, InFlightPacket } from '../store/inflight.js';

type Packet = Parameters<IStore['put']>[0];
type DoneCallback = Parameters<IStore['put']>[1];
type PacketCallback = Parameters<IStore['del']>[1];

/** What the store asks of the session manager. */
export interface Qos2Hooks {
  /** the outbox row this QoS 2 PUBLISH carries (null: not from the outbox) */
  claim(packet: InFlightPacket): number | null;
  /** the PUBCOMP came: that outbox row is delivered, exactly once */
  completed(outboxId: number): void;
}

/**
 * mqtt.js's outgoing store for one connection of a profile. QoS 2 packets (the PUBLISH until its PUBREC, then the
 * PUBREL until its PUBCOMP) live in SQLite (store/inflight.ts), so after a crash or a restart mqtt.js sends them
 * again on connect: a PUBREL the broker is waiting for is sent again, never the PUBLISH a second time. QoS 1
 * packets stay in memory as before: the outbox delivers those again itself.
 */
export class Qos2Store implements IStore {
  private readonly memory = new Map<number, Packet>();

  constructor(
    private readonly profileId: string,
    private readonly inFlight: InFlight,
    private readonly hooks: Qos2Hooks,
  ) {}

  put(packet: Packet, cb: DoneCallback): this {
    const id = messageIdOf(packet);
    try {
      if (isQos2(packet)) {
        const p = packet as unknown as InFlightPacket;
        this.inFlight.put(this.profileId, p, p.cmd === 'publish' ? this.hooks.claim(p) : null);
        this.memory.delete(id);
      } else {
        this.memory.set(id, packet);
      }
    } catch (err) {
      cb(err as Error);
      return this;
    }
    cb();
    return this;
  }

  createStream(): ReturnType<IStore['createStream']> {
    const packets = [...(this.inFlight.list(this.profileId) as unknown as Packet[]), ...this.memory.values()];
    return Readable.from(packets, { objectMode: true }) as unknown as ReturnType<IStore['createStream']>;
  }

  del(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const id = packet.messageId ?? 0;
    const inMemory = this.memory.get(id);
    if (inMemory) {
      this.memory.delete(id);
      cb(undefined, inMemory);
      return this;
    }
    let removed: ReturnType<InFlight['del']>;
    try {
      removed = this.inFlight.del(this.profileId, id);
    } catch (err) {
      cb(err as Error);
      return this;
    }
    if (!removed) {
      cb(new Error('missing packet'));
      return this;
    }
    // only a PUBCOMP (deleting the PUBREL) completes the message; a PUBLISH deleted on a refusing PUBREC is not
    // delivered: its outbox row stays, for the dead letters
    if (removed.packet.cmd === 'pubrel' && removed.outboxId !== null) this.hooks.completed(removed.outboxId);
    cb(undefined, removed.packet as unknown as Packet);
    return this;
  }

  get(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const id = packet.messageId ?? 0;
    const found = this.memory.get(id) ?? (this.inFlight.get(this.profileId, id) as unknown as Packet | undefined);
    if (found) cb(undefined, found);
    else cb(new Error('missing packet'));
    return this;
  }

  close(cb: DoneCallback): void {
    this.memory.clear(); // the SQLite part stays: the next connection sends it again
    cb();
  }
}

function messageIdOf(packet: Packet): number {
  return (packet as { messageId?: number }).messageId ?? 0;
}

function isQos2(packet: Packet): boolean {
  return packet.cmd === 'pubrel' || (packet.cmd === 'publish' && packet.qos === 2);
}

/**
 * mqtt.js's incoming store for one profile, in SQLite: a QoS 2 message the broker sent is kept from our PUBREC
 * until its PUBREL, when mqtt.js hands it on. After a crash in between, the broker (session kept) sends the PUBREL
 * again and the message is taken from here: with mqtt.js's memory store it was answered PUBCOMP and lost.
 */
export class IncomingQos2Store implements IStore {
  private readonly key: string;

  constructor(
    profileId: string,
    private readonly inFlight: InFlight,
  ) {
    // its own key space in the same table: incoming and outgoing packet ids are independent
    this.key = `in:${profileId}`;
  }

  put(packet: Packet, cb: DoneCallback): this {
    try {
      this.inFlight.put(this.key, packet as unknown as InFlightPacket, null);
    } catch (err) {
      cb(err as Error);
      return this;
    }
    cb();
    return this;
  }

  createStream(): ReturnType<IStore['createStream']> {
    return Readable.from(this.inFlight.list(this.key), { objectMode: true }) as unknown as ReturnType<IStore['createStream']>;
  }

  del(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const removed = this.inFlight.del(this.key, packet.messageId ?? 0);
    if (removed) cb(undefined, removed.packet as unknown as Packet);
    else cb(new Error('missing packet'));
    return this;
  }

  get(packet: Pick<Packet, 'messageId'>, cb: PacketCallback): this {
    const found = this.inFlight.get(this.key, packet.messageId ?? 0);
    if (found) cb(undefined, found as unknown as Packet);
    else cb(new Error('missing packet'));
    return this;
  }

  close(cb: DoneCallback): void {
    cb();
  }
}
