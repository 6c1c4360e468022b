/**
 * A presence event (account/presence-watcher.ts) as the alert engine reads messages: topic
 * `signaling/connect|disconnect` and Beebotte's signaling body `{"data": {clientid, channel, protocol}}` — the
 * same shape a session subscribed to signaling/# stores, so "Test against recent messages" reads both alike.
 */
import type { PresenceEventDTO } from '../../api/presence.js';
import type { AlertMessage } from './types.js';

export function presenceMessage(event: PresenceEventDTO): AlertMessage {
  const json = { data: { clientid: event.clientid, channel: event.channel ?? '*', protocol: event.protocol, source: event.source } };
  return { profileId: event.profileId, topic: `signaling/${event.event}`, receivedAt: event.at, text: JSON.stringify(json), json };
}
