import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, StoreOpenError } from '../../electron/core/store/database.js';
import { migrations } from '../../electron/core/store/migrations.js';

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
