/** Subscribing on one connection, with MQTT 5's options, and keeping the session's list of filters. */
import type { MqttClient } from 'mqtt';
import type { SubscriptionDTO } from '../../api.js';
import { reasonText } from './properties.js';
import { subscribeRefusal, type SessionSubscription } from './session-config.js';

/** The SUBACK code: granted QoS, or ≥ 0x80 when refused. Throws when the connection dropped. */
export async function subscribeOn(client: MqttClient, subscription: SessionSubscription, v5: boolean): Promise<number> {
  const { filter, qos } = subscription;
  try {
    const granted = await client.subscribeAsync(filter, {
      qos,
      ...(v5
        ? {
            nl: subscription.noLocal ?? false,
            rap: subscription.retainAsPublished ?? false,
            rh: subscription.retainHandling ?? 0,
          }
        : {}),
    });
    return granted[0]?.qos ?? 0x80;
  } catch (err) {
    const refused = subscribeRefusal(err);
    if (refused === null) throw err;
    return refused;
  }
}

/** The text for a refused subscription: what to check. */
export function refusedSubscriptionText(filter: string, code: number, rightsHolder: string): string {
  if (code === 0x80 || code === 0x87) {
    return `not allowed to subscribe to ${filter} (SUBACK: ${reasonText(code)}): ${rightsHolder}'s rights do not cover it`;
  }
  return `the broker refused the subscription to ${filter} (SUBACK: ${reasonText(code)})`;
}

export function keepSubscription(list: SessionSubscription[], subscription: SessionSubscription): void {
  const known = list.find((s) => s.filter === subscription.filter);
  if (known) Object.assign(known, subscription);
  else list.push({ ...subscription });
}

export function forgetSubscription(list: SessionSubscription[], filter: string): void {
  const i = list.findIndex((s) => s.filter === filter);
  if (i >= 0) list.splice(i, 1);
}

/** A kept filter as the UI sees it, every option spelled out. */
export function subscriptionDTO(s: SessionSubscription): SubscriptionDTO {
  return {
    filter: s.filter,
    qos: s.qos,
    noLocal: s.noLocal ?? false,
    retainAsPublished: s.retainAsPublished ?? false,
    retainHandling: s.retainHandling ?? 0,
    paused: s.paused ?? false,
    ...(s.colour ? { colour: s.colour } : {}),
  };
}
