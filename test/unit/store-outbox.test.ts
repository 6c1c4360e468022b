import type * as Database from '../../electron/core/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database.js';
import { Outbox, OutboxFullError, type OutboxInput } from '../../electron/core/store/outbox.js';

let db: Database.Database;
beforeEach(() => {
  db = openDatabase(':memory:');
});
afterEach(() => db.close());

const item = (profileId: string, n: number, size = 8): OutboxInput => ({
  profileId,
  topic: `ch/res${n}`,
  payload: Buffer.alloc(size, 48 + (n % 10)),
  qos: 1,
  retain: n % 2 === 0,
});

describe('Outbox', () => {
  it('keeps insertion order per profile and removes delivered items', () => {
    const outbox = new Outbox(db);
    const ids = [0, 1, 2, 3].map((n) => outbox.enqueue(item(n % 2 ? 'b' : 'a', n)));
    expect(outbox.peek('a', 10).map((m) => m.topic)).toEqual(['ch/res0', 'ch/res2']);
    expect(outbox.peek('b', 1).map((m) => m.id)).toEqual([ids[1]]);
    const [first] = outbox.peek('a', 1);
    expect(first).toMatchObject({ profileId: 'a', qos: 1, retain: true });
    expect(first!.payload.equals(item('a', 0).payload)).toBe(true);
    expect(outbox.remove(ids[0]!)).toBe(true);
    expect(outbox.remove(ids[0]!)).toBe(false);
    expect(outbox.peek('a', 10).map((m) => m.id)).toEqual([ids[2]]);
    expect(outbox.count('a')).toBe(1);
    expect(outbox.clear('b')).toBe(2);
    expect(outbox.count('b')).toBe(0);
    expect(outbox.count('a')).toBe(1);
  });

  it('refuses the message past the count bound with an actionable error, per profile', () => {
    const outbox = new Outbox(db, { maxMessages: 3 });
    for (let n = 0; n < 3; n++) outbox.enqueue(item('a', n));
    let error: unknown;
    try {
      outbox.enqueue(item('a', 3));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(OutboxFullError);
    expect((error as Error).message).toBe(
      'outbox full (3 messages) for profile a: nothing more is queued until it reconnects and delivers the waiting messages',
    );
    expect(outbox.count('a')).toBe(3);
    expect(() => outbox.enqueue(item('b', 0))).not.toThrow(); // another profile has its own bound
    outbox.remove(outbox.peek('a', 1)[0]!.id);
    expect(() => outbox.enqueue(item('a', 4))).not.toThrow();
  });

  it('names the profile by its name in the error when the caller gives it', () => {
    const outbox = new Outbox(db, { maxMessages: 1 });
    outbox.enqueue({ ...item('p1', 0), profileName: 'Home sensors' });
    expect(() => outbox.enqueue({ ...item('p1', 1), profileName: 'Home sensors' })).toThrow(
      /^outbox full \(1 messages\) for "Home sensors": nothing more is queued until it reconnects/,
    );
    expect(outbox.peek('p1', 10)).toHaveLength(1);
  });

  it('refuses the message past the bytes bound', () => {
    const outbox = new Outbox(db, { maxBytes: 100 });
    outbox.enqueue(item('a', 0, 60));
    expect(() => outbox.enqueue(item('a', 1, 41))).toThrow(/outbox full \(100 bytes of payloads\) for profile a/);
    expect(outbox.usage('a')).toEqual({ count: 1, bytes: 60 });
    outbox.enqueue(item('a', 2, 40));
  });

  it('queues QoS 1 only and validates its input', () => {
    const outbox = new Outbox(db);
    expect(() => outbox.enqueue({ ...item('a', 0), qos: 0 as unknown as 1 })).toThrow(/only QoS 1/);
    expect(() => outbox.enqueue({ ...item('a', 0), payload: 'x' as unknown as Buffer })).toThrow(/Buffer/);
    expect(outbox.count('a')).toBe(0);
  });
});
