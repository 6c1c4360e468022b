import type * as Database from '../../electron/core/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/core/store/database.js';
import { Settings } from '../../electron/core/store/settings.js';

let db: Database.Database;
beforeEach(() => {
  db = openDatabase(':memory:');
});
afterEach(() => db.close());

describe('Settings', () => {
  it('stores JSON values and returns the fallback for missing keys', () => {
    const s = new Settings(db);
    expect(s.get('log.budget', { maxMessages: 5 })).toEqual({ maxMessages: 5 });
    s.set('log.budget', { maxMessages: 10 });
    s.set('ui.theme', 'dark');
    s.set('flag', false);
    s.set('nothing', null);
    expect(s.get('log.budget', { maxMessages: 5 })).toEqual({ maxMessages: 10 });
    expect(s.get('ui.theme', 'light')).toBe('dark');
    expect(s.get('flag', true)).toBe(false);
    expect(s.get<string | null>('nothing', 'x')).toBeNull();
    s.set('ui.theme', 'light');
    expect(s.get('ui.theme', '')).toBe('light');
  });

  it('deletes with undefined or delete(), lists keys by literal prefix', () => {
    const s = new Settings(db);
    s.set('profiles.a', 1);
    s.set('profiles.b', 2);
    s.set('profilesX', 3);
    s.set('p*ofiles', 4);
    expect(s.keys('profiles.')).toEqual(['profiles.a', 'profiles.b']);
    expect(s.keys('p*')).toEqual(['p*ofiles']);
    s.set('profiles.a', undefined);
    expect(s.delete('profiles.b')).toBe(true);
    expect(s.delete('profiles.b')).toBe(false);
    expect(s.keys('profiles.')).toEqual([]);
  });

  it('survives a damaged row and refuses values JSON cannot hold', () => {
    const s = new Settings(db);
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('bad', '{not json', 0)").run();
    expect(s.get('bad', 42)).toBe(42);
    expect(() => s.set('fn', () => 1)).toThrow(/cannot be stored as JSON/);
    expect(() => s.set('', 1)).toThrow(/key/);
  });
});
