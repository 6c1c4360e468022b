import { describe, expect, it } from 'vitest';
import type { MessageBatch } from '../../electron/api.js';
import { EventBus } from '../../electron/core/events.js';
import { Ingest, type NewMessage } from '../../electron/core/ingest/ingest.js';

/** A sink that numbers rows like the store does and remembers each transaction's size. */
function recordingSink() {
  let next = 1;
  const transactions: number[] = [];
  const topics: string[] = [];
  return {
    transactions,
    topics,
    insertBatch(rows: NewMessage[]): number[] {
      transactions.push(rows.length);
      topics.push(...rows.map((r) => r.topic));
      return rows.map(() => next++);
    },
  };
}

function setup(options: { maxPending: number; uiBatchLimit: number }) {
  const sink = recordingSink();
  const bus = new EventBus();
  const batches: MessageBatch[] = [];
  bus.subscribe((event, data) => {
    if (event === 'messages.batch') batches.push(data as MessageBatch);
  });
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  const ingest = new Ingest({ sink, bus, clock: { now: () => 1000 }, log: silent as never, flushMs: 60_000, ...options });
  return { ingest, sink, batches };
}

describe('ingest between two flushes', () => {
  it('stores at maxPending instead of holding an unbounded queue, and the UI still gets one batch', () => {
    const { ingest, sink, batches } = setup({ maxPending: 10, uiBatchLimit: 4 });
    for (let i = 0; i < 25; i++) ingest.push('p', `t/${i}`, Buffer.from(String(i)), 0, false);
    // two full queues went to the store before any flush; nothing reached the UI yet
    expect(sink.transactions).toEqual([10, 10]);
    expect(batches).toHaveLength(0);

    ingest.flush();
    expect(sink.transactions).toEqual([10, 10, 5]);
    expect(sink.topics).toEqual(Array.from({ length: 25 }, (_, i) => `t/${i}`));
    expect(batches).toHaveLength(1);
    // the newest messages, with their store ids, and the rest counted as skipped (they are in the store)
    expect(batches[0]!.messages.map((m) => m.topic)).toEqual(['t/21', 't/22', 't/23', 't/24']);
    expect(batches[0]!.messages.map((m) => m.id)).toEqual([22, 23, 24, 25]);
    expect(batches[0]!.skipped).toBe(21);
  });

  it('a flush with nothing new sends nothing', () => {
    const { ingest, batches } = setup({ maxPending: 10, uiBatchLimit: 4 });
    ingest.push('p', 'a', Buffer.from('1'), 0, false);
    ingest.flush();
    ingest.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.skipped).toBe(0);
  });
});
