import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PublishHistoryEntry } from '../../electron/api.js';
import { ComposerStore } from '../../electron/core/composer/templates.js';
import { MAX_HISTORY } from '../../electron/core/composer/publish-history.js';
import { openDatabase } from '../../electron/core/store/database.js';
import { migrations } from '../../electron/core/store/migrations.js';
import { Settings } from '../../electron/core/store/settings.js';
import { openSqlite } from '../../electron/core/store/sqlite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-publish-history-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const entry = (n: number, data = `{"n":${n}}`): PublishHistoryEntry => ({
  at: 1000 + n,
  profileId: 'p1',
  topic: `t/${n}`,
  data,
  write: false,
  ispublic: false,
  qos: 1,
  status: 'sent',
});

describe('the composer publish history', () => {
  it('shows the newest first and keeps only the newest 200, however many were published', () => {
    const db = openDatabase(':memory:');
    const composer = new ComposerStore(new Settings(db), db);
    for (let n = 1; n <= 537; n++) composer.record(entry(n));
    const shown = composer.history(MAX_HISTORY);
    expect(shown).toHaveLength(200);
    expect(shown[0]?.topic).toBe('t/537');
    expect(shown.at(-1)?.topic).toBe('t/338');
    expect(composer.history(3).map((e) => e.topic)).toEqual(['t/537', 't/536', 't/535']);
    // bounded on disk too, not only in what is shown
    expect(db.prepare('SELECT count(*) FROM publish_history').pluck().get()).toBeLessThanOrEqual(250);
    db.close();
  });

  it('keeps what was recorded just before the app closes', () => {
    const file = path.join(dir, 'close.db');
    const db = openDatabase(file);
    const composer = new ComposerStore(new Settings(db), db);
    composer.record(entry(1));
    composer.record(entry(2));
    composer.close();
    db.close();
    const again = openDatabase(file);
    expect(new ComposerStore(new Settings(again), again).history(10).map((e) => e.topic)).toEqual(['t/2', 't/1']);
    again.close();
  });

  it('clips a long payload: the history is a reminder, not a second message log', () => {
    const db = openDatabase(':memory:');
    const composer = new ComposerStore(new Settings(db), db);
    composer.record(entry(1, 'x'.repeat(10_000)));
    expect(composer.history(1)[0]?.data).toBe(`${'x'.repeat(4096)}…`);
    db.close();
  });

  it('carries the history of a database from before migration 8 over, in order, and skips a damaged one', () => {
    const before = (name: string, value: string): string => {
      const file = path.join(dir, name);
      const old = openSqlite(file);
      old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
      for (const m of migrations.filter((m) => m.version < 8)) {
        old.exec(m.sql);
        old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)').run(m.version, m.name);
      }
      const set = old.prepare('INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 0)');
      set.run('composer.history', value);
      set.run('composer.templates', JSON.stringify([{ id: 'a1', name: 'keep me', topic: 't', data: '1' }]));
      old.close();
      return file;
    };
    // the old settings row: newest first
    const oldList = [3, 2, 1].map((n) => entry(n));
    const db = openDatabase(before('v7.db', JSON.stringify(oldList)));
    const composer = new ComposerStore(new Settings(db), db);
    expect(composer.history(200)).toEqual(oldList);
    composer.record(entry(4));
    expect(composer.history(200).map((e) => e.topic)).toEqual(['t/4', 't/3', 't/2', 't/1']);
    expect(composer.templates().map((t) => t.name)).toEqual(['keep me']);
    expect(new Settings(db).get('composer.history', null)).toBeNull();
    db.close();

    // a damaged row loses the old history, never the store
    const damaged = openDatabase(before('v7-damaged.db', '[{"at":1,'));
    const fresh = new ComposerStore(new Settings(damaged), damaged);
    expect(fresh.history(200)).toEqual([]);
    fresh.record(entry(9));
    expect(fresh.history(200).map((e) => e.topic)).toEqual(['t/9']);
    damaged.close();
  });
});
