/**
 * The one server side of the contract, for both transports (Electron IPC in main.ts, the host's WebSocket):
 * calls in, answered as a result or an error value; events out. A transport that can tell how much it has
 * queued for its UI (the WebSocket) holds message batches back while that is too much — the slow UI pages
 * from the store instead — and the next batch it does get says how many messages it missed, so the UI can
 * mark the gap and re-sync its window. State events (sessions, profiles, alerts…) are never held back.
 */
import { ApiError, type ApiErrorShape, type EventName, type EventPayloads, type MessageBatch } from './api.js';
import type { EventBus } from './core/events.js';

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

export interface ContractCore {
  readonly bus: EventBus;
  call(method: unknown, params: unknown): Promise<unknown>;
}

export interface EventTransport {
  send<E extends EventName>(event: E, data: EventPayloads[E]): void;
  /** bytes waiting to reach this UI; unknown (IPC) means never held back */
  queuedBytes?(): number;
}

export interface ContractServer {
  call(method: unknown, params: unknown): Promise<CallOutcome>;
  close(): void;
}

/** Above this many queued bytes a transport's message batches are held back (counted, then reported). */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

export function serveContract(core: ContractCore, transport: EventTransport, maxQueuedBytes = MAX_QUEUED_BYTES): ContractServer {
  let missed = 0;
  const unsubscribe = core.bus.subscribe((event, data) => {
    if (event !== 'messages.batch') return transport.send(event, data);
    const batch = data as MessageBatch;
    if ((transport.queuedBytes?.() ?? 0) > maxQueuedBytes) {
      missed += batch.messages.length + batch.skipped;
      return;
    }
    if (missed === 0) return transport.send('messages.batch', batch);
    // the batch object is shared by every transport: this UI's gap goes on a copy
    transport.send('messages.batch', { ...batch, dropped: missed });
    missed = 0;
  });
  return {
    async call(method, params) {
      try {
        return { ok: true, result: await core.call(method, params) };
      } catch (err) {
        return { ok: false, error: err instanceof ApiError ? err.toJSON() : { code: 'failed', message: String(err) } };
      }
    },
    close: unsubscribe,
  };
}
