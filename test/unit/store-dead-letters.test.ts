import type * as Database from '../../electron/core/store/sqlite.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  retain: false,
});

describe('the outbox dead letters', () => {
  it('a message set aside leaves the queue but not the store, with its topic, size, reason and time', () => {
    const outbox = new Outbox(db);
    const [a, b, c] = [0, 1, 2].map((n) => outbox.enqueue(item('p', n, 10 + n)));
    const dead = outbox.deadLetters.move(b!, 'the broker closed the connection each time', 1234);
    expect(dead).toMatchObject({
      id: b,
      profileId: 'p',
      topic: 'ch/res1',
      size: 11,
      qos: 1,
      reason: 'the broker closed the connection each time',
      deadAt: 1234,
    });
    expect(dead!.queuedAt).toBeGreaterThan(0);
    expect(outbox.peek('p', 10).map((m) => m.id)).toEqual([a, c]);
    expect(outbox.count('p')).toBe(2);
    expect(outbox.deadCount('p')).toBe(1);
    expect(outbox.deadLetters.list('p').map((d) => d.id)).toEqual([b]);
    expect(outbox.deadLetters.list().map((d) => d.id)).toEqual([b]);
    expect(outbox.deadLetters.list('other')).toEqual([]);
    // a late PUBACK cannot remove a dead letter, and it cannot be set aside twice
    expect(outbox.remove(b!)).toBe(false);
    expect(outbox.deadLetters.move(b!, 'again')).toBeNull();
    expect(outbox.deadLetters.get(b!)?.reason).toBe('the broker closed the connection each time');
  });

  it('a QoS 2 message set aside says QoS 2 (the list showed every one as QoS 1)', () => {
    const outbox = new Outbox(db);
    const id = outbox.enqueue({ ...item('p', 0), qos: 2 });
    expect(outbox.deadLetters.move(id, 'refused')?.qos).toBe(2);
    expect(outbox.deadLetters.list('p').map((d) => d.qos)).toEqual([2]);
  });

  it('retry puts it back at the end of the queue with its payload, once', () => {
    const outbox = new Outbox(db);
    const first = outbox.enqueue(item('p', 0));
    const second = outbox.enqueue(item('p', 1));
    outbox.deadLetters.move(first, 'refused');
    const retried = outbox.deadLetters.retry(first);
    expect(retried).toEqual({ id: expect.any(Number), profileId: 'p' });
    expect(retried!.id).toBeGreaterThan(second);
    const queue = outbox.peek('p', 10);
    expect(queue.map((m) => m.topic)).toEqual(['ch/res1', 'ch/res0']);
    expect(queue[1]!.payload.equals(item('p', 0).payload)).toBe(true);
    expect(outbox.deadLetters.list('p')).toEqual([]);
    expect(outbox.deadCount('p')).toBe(0);
    expect(outbox.count('p')).toBe(2);
    expect(outbox.deadLetters.retry(first)).toBeNull();
    expect(outbox.deadLetters.retry(second)).toBeNull(); // a queued message is not a dead letter
  });

  it('discard deletes only a dead letter, and frees its room', () => {
    const outbox = new Outbox(db, { maxMessages: 2 });
    const a = outbox.enqueue(item('p', 0, 5));
    const b = outbox.enqueue(item('p', 1, 7));
    expect(outbox.deadLetters.discard(a)).toBeNull();
    outbox.deadLetters.move(a, 'refused');
    // a dead letter still counts against the bound, and the error says what to do about it
    expect(() => outbox.enqueue(item('p', 2))).toThrow(OutboxFullError);
    expect(() => outbox.enqueue(item('p', 2))).toThrow(/1 of them are dead letters: retry or discard them/);
    expect(outbox.deadLetters.discard(a)).toMatchObject({ id: a, topic: 'ch/res0', size: 5 });
    expect(outbox.deadLetters.discard(a)).toBeNull();
    expect(outbox.usage('p')).toEqual({ count: 1, bytes: 7 });
    expect(outbox.peek('p', 10).map((m) => m.id)).toEqual([b]);
    expect(() => outbox.enqueue(item('p', 3))).not.toThrow();
  });

  it('survives a restart: a new Outbox on the same file reads the dead letters and their counts back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-dead-'));
    const file = path.join(dir, 'apiary.db');
    try {
      const first = openDatabase(file);
      const outbox = new Outbox(first);
      const id = outbox.enqueue(item('p', 0));
      outbox.enqueue(item('p', 1));
      outbox.deadLetters.move(id, 'refused');
      first.close();
      const again = openDatabase(file);
      const reopened = new Outbox(again);
      expect(reopened.count('p')).toBe(1);
      expect(reopened.deadCount('p')).toBe(1);
      expect(reopened.deadLetters.list('p')).toMatchObject([{ id, reason: 'refused' }]);
      expect(reopened.clear('p')).toBe(2);
      expect(reopened.deadCount('p')).toBe(0);
      again.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
