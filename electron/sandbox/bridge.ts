/**
 * The bridge between transports. REST and WebSocket publishes reach MQTT and WebSocket subscribers;
 * MQTT publishes (already routed to MQTT subscribers by aedes) reach WebSocket subscribers.
 * Signaling events go to MQTT `signaling/#` subscribers of the same account.
 */
export interface BridgeMessage {
  owner: string;
  channel: string;
  resource: string;
  data: unknown;
  ispublic: boolean;
  ts: number;
}

export type Origin = 'mqtt' | 'rest' | 'ws';

export type SignalEvent = 'connect' | 'disconnect' | 'subscribe' | 'unsubscribe';

export interface SignalData {
  protocol: 'mqtt' | 'mqtts' | 'socketio';
  channel: string;
  resource: string;
  clientid?: string;
}

type Sink = (message: BridgeMessage) => void;
type SignalSink = (owner: string, event: SignalEvent, data: SignalData) => void;
/** Presence events (WebSocket `presence-` channels) have no sink of their own: only watchers see them. */
export type WatchedEvent = SignalEvent | 'join' | 'leave';
type EventWatcher = (owner: string, event: WatchedEvent, data: SignalData) => void;

export class Bridge {
  private mqtt: Sink | null = null;
  private ws: Sink | null = null;
  private signals: SignalSink | null = null;
  private readonly watchers: EventWatcher[] = [];

  attachMqtt(sink: Sink, signals: SignalSink): void {
    this.mqtt = sink;
    this.signals = signals;
  }

  attachWs(sink: Sink): void {
    this.ws = sink;
  }

  publish(message: BridgeMessage, origin: Origin): void {
    if (origin !== 'mqtt') this.mqtt?.(message);
    this.ws?.(message);
  }

  /** Signaling is a private channel `signaling` whose resources are the event names. */
  signal(owner: string, event: SignalEvent, data: SignalData): void {
    this.signals?.(owner, event, data);
    this.ws?.({ owner, channel: 'signaling', resource: event, data: { ...data, owner }, ispublic: false, ts: Date.now() });
    this.tell(owner, event, data);
  }

  /** Connection, subscription and presence events, for Beerules (beerules-runner.ts). */
  watch(watcher: EventWatcher): void {
    this.watchers.push(watcher);
  }

  tell(owner: string, event: WatchedEvent, data: SignalData): void {
    for (const watcher of this.watchers) watcher(owner, event, data);
  }
}

/** What an MQTT subscriber receives for a bridged message: channel and resource are in the topic. */
export function mqttPayload(message: BridgeMessage): Buffer {
  return Buffer.from(JSON.stringify({ data: message.data, ispublic: message.ispublic, ts: message.ts }));
}
