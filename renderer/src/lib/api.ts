/**
 * The renderer's only door to the core. In Electron it is window.apiary (preload, IPC); in a browser it is
 * the headless host's WebSocket. Same contract, same types (imported as types from electron/api.ts).
 */
import type { ApiaryBridge, EventName, EventPayloads, MethodName, ParamsOf, ResultOf, ServerFrame } from '../../../electron/api';

declare global {
  interface Window {
    apiary?: ApiaryBridge;
  }
}

export type ConnectionListener = (connected: boolean) => void;

class WebSocketBridge implements ApiaryBridge {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners = new Map<EventName, Set<(data: unknown) => void>>();
  private readonly connectionListeners = new Set<ConnectionListener>();
  /** calls waiting for a socket that is open: released by the first socket that opens, whichever it is */
  private openWaiters: (() => void)[] = [];
  private retryMs = 500;

  constructor(private readonly url: string) {
    this.open();
  }

  onConnection(listener: ConnectionListener): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  private open(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.retryMs = 500;
      // a call made while an earlier socket was still connecting (and then closed unopened) waits for this one
      for (const release of this.openWaiters.splice(0)) release();
      for (const l of this.connectionListeners) l(true);
    });
    ws.addEventListener('message', (e) => this.receive(String(e.data)));
    ws.addEventListener('close', () => {
      for (const [, p] of this.pending) p.reject(new Error('the connection to Apiary was lost'));
      this.pending.clear();
      for (const l of this.connectionListeners) l(false);
      setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    });
  }

  private receive(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if ('event' in frame) {
      for (const l of this.listeners.get(frame.event) ?? []) l(frame.data);
      return;
    }
    const waiter = this.pending.get(frame.id);
    if (!waiter) return;
    this.pending.delete(frame.id);
    if ('error' in frame) waiter.reject(Object.assign(new Error(frame.error.message), { code: frame.error.code }));
    else waiter.resolve(frame.result);
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    while (this.ws?.readyState !== WebSocket.OPEN) await new Promise<void>((resolve) => this.openWaiters.push(resolve));
    const id = this.nextId++;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws!.send(JSON.stringify({ id, method, params }));
    });
  }

  on<E extends EventName>(event: E, listener: (data: EventPayloads[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }
}

function createBridge(): ApiaryBridge & { onConnection?: (l: ConnectionListener) => () => void } {
  if (window.apiary) return window.apiary;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WebSocketBridge(`${scheme}://${location.host}/api`);
}

export const api = createBridge();
