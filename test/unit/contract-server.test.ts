import { describe, expect, it } from 'vitest';
import { ApiError, type EventName, type MessageBatch } from '../../electron/api.js';
import { serveContract } from '../../electron/contract-server.js';
import { EventBus } from '../../electron/core/events.js';

function batch(n: number, skipped = 0): MessageBatch {
  const messages = Array.from({ length: n }, (_, i) => ({ id: i + 1, topic: `t/${i}` }) as MessageBatch['messages'][number]);
  return { messages, skipped, rate: 0 };
}

function setup() {
  const bus = new EventBus();
  const sent: { event: EventName; data: unknown }[] = [];
  let queued = 0;
  const core = {
    bus,
    async call(method: unknown) {
      if (method === 'boom') throw new Error('kaput');
      if (method === 'bad') throw new ApiError('invalid_params', 'topic is required');
      return { echoed: method };
    },
  };
  const server = serveContract(core, { send: (event, data) => sent.push({ event, data }), queuedBytes: () => queued }, 1000);
  return { bus, sent, server, setQueued: (n: number) => (queued = n) };
}

describe('serveContract', () => {
  it('holds message batches back while the transport is congested, and the next one says how many were missed', () => {
    const { bus, sent, setQueued } = setup();
    bus.emit('messages.batch', batch(2));
    setQueued(5000);
    bus.emit('messages.batch', batch(3, 10));
    bus.emit('messages.batch', batch(4));
    // state events are never held back
    bus.emit('profiles.changed', []);
    setQueued(0);
    const shared = batch(1);
    bus.emit('messages.batch', shared);
    bus.emit('messages.batch', batch(1));

    expect(sent.map((s) => s.event)).toEqual(['messages.batch', 'profiles.changed', 'messages.batch', 'messages.batch']);
    const batches = sent.filter((s) => s.event === 'messages.batch').map((s) => s.data as MessageBatch);
    expect(batches.map((b) => b.dropped)).toEqual([undefined, 17, undefined]);
    // the batch every transport shares is not changed for this one's gap
    expect(shared.dropped).toBeUndefined();
  });

  it('a transport with no backlog to read (IPC) gets every batch', () => {
    const bus = new EventBus();
    const sent: EventName[] = [];
    serveContract({ bus, call: async () => null }, { send: (event) => sent.push(event) }, 0);
    for (let i = 0; i < 3; i++) bus.emit('messages.batch', batch(1));
    expect(sent).toHaveLength(3);
  });

  it('answers calls as results or error values, never throwing', async () => {
    const { server } = setup();
    expect(await server.call('app.info', {})).toEqual({ ok: true, result: { echoed: 'app.info' } });
    expect(await server.call('bad', {})).toEqual({ ok: false, error: { code: 'invalid_params', message: 'topic is required' } });
    expect(await server.call('boom', {})).toEqual({ ok: false, error: { code: 'failed', message: 'Error: kaput' } });
  });

  it('close stops the events', () => {
    const { bus, sent, server } = setup();
    server.close();
    bus.emit('profiles.changed', []);
    expect(sent).toEqual([]);
  });
});
