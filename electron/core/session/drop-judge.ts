/**
 * Tells a broker that refuses one queued message from a link that drops. Beebotte (like the sandbox) closes the
 * connection instead of refusing a publish it will not take, so a message it refuses looks, from here, like a
 * connection that dropped while that message was in flight — and so does a flapping link. Only the first may
 * set a message aside, and only into the dead letters (nothing accepted is ever deleted).
 *
 * A drop counts against the message (a strike) only when the link had proved itself on that connection before
 * the message went out: the broker answered something we sent (a SUBACK, a PINGRESP), and the connection had
 * stayed up, with nothing of ours in flight, for the suspect's quiet time. A drop right after CONNACK, or on a
 * link that never answered (it swallows what we send), makes the message a suspect but is no strike; a drop while
 * nothing of ours is in flight is the link's, and wipes the suspect's strikes. The quiet time grows past the
 * age at which connections have been dying, so a link that resets every connection after N seconds is caught
 * dropping with nothing in flight, while a broker that closes on that message every time is not.
 */

/** Strikes that move a message to the dead letters. */
export const POISON_DROPS = 3;

/** A drop counts for or against a message only when it came this soon after the send. */
export const POISON_WINDOW_MS = 3000;

/** The least time a connection must be up, answering and idle, before a suspect is sent alone on it. */
export const QUIET_MIN_MS = 1000;

/** The most: a link that drops after longer than this is not taken for one that drops every connection. */
export const QUIET_MAX_MS = 30_000;

/** How long the liveness probe (a PINGREQ) waits for the broker's answer. */
export const PROBE_TIMEOUT_MS = 10_000;

export interface Suspect {
  /** its outbox id */
  id: number;
  /** drops that count against it (see the module comment) */
  strikes: number;
  /** how long the next connection must prove itself before this message is sent alone */
  quietMs: number;
}

export interface MessageDrop {
  /** the oldest message that was in flight */
  id: number;
  sentAt: number;
  droppedAt: number;
  /** the CONNACK of the connection that dropped */
  connectedAt: number;
  /** the broker had answered something we sent on that connection before the message went out */
  answeredBeforeSend: boolean;
}

/** What became of a message after a drop with it in flight. */
export type Verdict = 'late' | 'suspect' | 'strike' | 'dead';

export class DropJudge {
  private readonly suspects = new Map<string, Suspect>();

  suspect(profileId: string): Suspect | undefined {
    return this.suspects.get(profileId);
  }

  /** The connection dropped while this message was the oldest one unacknowledged. 'dead': set it aside. */
  messageDrop(profileId: string, drop: MessageDrop): Verdict {
    if (drop.droppedAt - drop.sentAt > POISON_WINDOW_MS) return 'late'; // the broker took it in and stayed up
    const previous = this.suspects.get(profileId);
    const same = previous?.id === drop.id ? previous : undefined;
    const quietMs = same?.quietMs ?? QUIET_MIN_MS;
    const proven = drop.answeredBeforeSend && drop.sentAt - drop.connectedAt >= quietMs;
    if (!proven) {
      // no evidence the broker read it: sent right after CONNACK, or on a link that answered nothing
      this.suspects.set(profileId, {
        id: drop.id,
        strikes: same?.strikes ?? 0,
        quietMs: grow(quietMs, drop.droppedAt - drop.connectedAt),
      });
      return 'suspect';
    }
    const strikes = (same?.strikes ?? 0) + 1;
    if (strikes >= POISON_DROPS) {
      this.suspects.delete(profileId);
      return 'dead';
    }
    this.suspects.set(profileId, { id: drop.id, strikes, quietMs });
    return 'strike';
  }

  /** The connection dropped while nothing of ours was in flight: the link, not a message. */
  linkDrop(profileId: string, connectedAt: number, droppedAt: number): void {
    const suspect = this.suspects.get(profileId);
    if (!suspect) return;
    suspect.strikes = 0;
    suspect.quietMs = grow(suspect.quietMs, droppedAt - connectedAt);
  }

  /** The message was acknowledged (or is no longer queued). */
  cleared(profileId: string, id: number): void {
    if (this.suspects.get(profileId)?.id === id) this.suspects.delete(profileId);
  }

  forget(profileId: string): void {
    this.suspects.delete(profileId);
  }
}

/**
 * The quiet time must outlast the age at which the last connection died (twice it), within the bounds. A
 * connection that lived longer than that is no sign of a link that kills young ones (an ordinary broker restart
 * mid-publish must not hold the next delivery back): it leaves the quiet time as it was.
 */
function grow(quietMs: number, connectionAgeMs: number): number {
  const wanted = 2 * Math.max(0, connectionAgeMs);
  if (wanted > QUIET_MAX_MS) return quietMs;
  return Math.max(quietMs, QUIET_MIN_MS, wanted);
}
