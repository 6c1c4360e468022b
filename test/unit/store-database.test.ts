import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, StoreOpenError } from '../../electron/core/store/database.js';
import { MessageLog } from '../../electron/core/store/message-log.js';
import { migrations } from '../../electron/core/store/migrations.js';
import { openSqlite } from '../../electron/core/store/sqlite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-store-db-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('applies every migration once, in order, and sets the pragmas', () => {
    const file = path.join(dir, 'sub', 'apiary.db'); // folder created on demand
    const db = openDatabase(file);
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(migrations.map((m) => m.version));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    db.close();
    const again = openDatabase(file);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(migrations.length);
    again.close();
  });

  it('keeps a log written before topic keys (migration 7): each history and topic filter still finds its messages', () => {
    const file = path.join(dir, 'before-topic-keys.db');
    const old = openSqlite(file);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of migrations.filter((m) => m.version < 7)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)').run(m.version, m.name);
    }
    const insert = old.prepare(
      'INSERT INTO messages (profile_id, topic, received_at, qos, retain, size, stored_bytes, kind, payload) VALUES (?, ?, ?, 0, 0, 1, 1, ?, ?)',
    );
    // two profiles share a topic name: their histories must stay apart
    for (let i = 0; i < 30; i++) insert.run(i % 2 ? 'p1' : 'p2', `home/${i % 3}`, 1000 + i, 'text', Buffer.from(String(i)));
    old.close();

    const db = openDatabase(file);
    const log = new MessageLog(db);
    const history = log.topicHistory('p1', 'home/0', 100);
    expect(history.map((m) => m.payload.toString())).toEqual(['27', '21', '15', '9', '3']);
    expect(log.query({ profileId: 'p2', topicFilter: 'home/1', limit: 100 })).toHaveLength(5);
    expect(log.query({ topicFilter: 'home/2', limit: 100 })).toHaveLength(10);
    // new rows join the same topic's history
    log.insertBatch([
      { profileId: 'p1', topic: 'home/0', receivedAt: 2000, qos: 0, retain: false, payload: Buffer.from('new'), kind: 'text' },
    ]);
    expect(log.topicHistory('p1', 'home/0', 1)[0]?.payload.toString()).toBe('new');
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'messages_profile_topic'").pluck().get()).toBe(0);
    db.close();
  });

  it('opens :memory: with the full schema', () => {
    const db = openDatabase(':memory:');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['messages', 'outbox', 'settings', 'schema_migrations']));
    db.close();
  });

  it('says clearly when the file is not a database', () => {
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'this is not sqlite, just some text that is long enough to have a header '.repeat(20));
    expect(() => openDatabase(file)).toThrow(StoreOpenError);
    expect(() => openDatabase(file)).toThrow(`cannot open the message store at ${file}: the file is not an Apiary database`);
  });

  it('says clearly when the folder cannot be created', () => {
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'apiary.db');
    expect(() => openDatabase(file)).toThrow(/^cannot open the message store at .*a-file\/apiary\.db: cannot create its folder/);
  });

  it('says clearly when the path is a folder', () => {
    const folder = path.join(dir, 'folder.db');
    fs.mkdirSync(folder);
    expect(() => openDatabase(folder)).toThrow(/cannot open the message store at .*folder\.db: not writable/);
  });

  it('refuses a database written by a newer schema', () => {
    const file = path.join(dir, 'newer.db');
    openDatabase(file).close();
    const db = openDatabase(file);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, ?, 0)').run('future');
    db.close();
    expect(() => openDatabase(file)).toThrow(/written by a newer Apiary.*update Apiary/);
  });
});
