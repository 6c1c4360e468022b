import type { EventName, EventPayloads } from '../api.js';

export type EventListener = <E extends EventName>(event: E, data: EventPayloads[E]) => void;

/** The core's outbound events, typed by api.ts. Transports subscribe once and forward everything. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, data: EventPayloads[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, data);
      } catch {
        // a broken transport must not break the core or the other transports
      }
    }
  }
}
