import type { ReplyMatch } from '../../api.js';

/** How long a request waits for its reply to be matched. */
export const REPLY_WINDOW_MS = 5 * 60_000;
const MAX_REQUESTS = 1000;

/**
 * Requests this app published with correlation data (MQTT 5 request/response): a message that comes back with
 * the same bytes is matched to its request. Bounded in time and number: the newest MAX_REQUESTS are kept.
 */
export class RecentRequests {
  /** key: profile id + correlation data (hex) */
  private readonly byKey = new Map<string, ReplyMatch>();

  remember(profileId: string, correlationText: string, topic: string, at: number): void {
    const key = `${profileId}\n${Buffer.from(correlationText, 'utf8').toString('hex')}`;
    this.byKey.delete(key);
    this.byKey.set(key, { requestTopic: topic, requestedAt: at });
    while (this.byKey.size > MAX_REQUESTS) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The request a message with this correlation data (hex) answers; undefined when none is recent. */
  match(profileId: string, correlationHex: string, now: number): ReplyMatch | undefined {
    const request = this.byKey.get(`${profileId}\n${correlationHex}`);
    if (!request) return undefined;
    if (now - request.requestedAt > REPLY_WINDOW_MS) {
      this.byKey.delete(`${profileId}\n${correlationHex}`);
      return undefined;
    }
    return request;
  }
}
