import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../electron/core/store/sqlite.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function twoConnections() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-sqlite-'));
  dirs.push(dir);
  const file = path.join(dir, 'x.db');
  const a = openSqlite(file);
  a.pragma('journal_mode = WAL');
  a.pragma('busy_timeout = 2000');
  a.exec('CREATE TABLE t (x INTEGER, b BLOB)');
  a.exec('WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 500) INSERT INTO t (x) SELECT i FROM c');
  const b = openSqlite(file);
  b.pragma('busy_timeout = 2000');
  return { a, b };
}

describe('the SQLite wrapper over libsql', () => {
  it('a loop that leaves iterate() early does not pin a stale snapshot or lock the next write', () => {
    const { a, b } = twoConnections();
    for (const row of a.prepare('SELECT x FROM t ORDER BY x').iterate()) if ((row as { x: number }).x === 3) break;
    b.prepare('INSERT INTO t (x) VALUES (?)').run(501);
    expect(a.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 501 });
    expect(() => a.transaction(() => a.prepare('DELETE FROM t WHERE x = ?').run(1)).immediate()).not.toThrow();
    a.close();
    b.close();
  });

  it('gives plain rows: no _metadata, blobs as Buffers from get, all and iterate alike', () => {
    const { a, b } = twoConnections();
    a.prepare('UPDATE t SET b = ? WHERE x = 1').run(Buffer.from([0, 255]));
    const sql = 'SELECT x, b FROM t WHERE x = 1';
    for (const row of [a.prepare(sql).get(), a.prepare(sql).all()[0], [...a.prepare(sql).iterate()][0]]) {
      expect(Object.keys(row as object)).toEqual(['x', 'b']);
      expect(Buffer.isBuffer((row as { b: unknown }).b)).toBe(true);
    }
    expect(JSON.stringify(a.prepare('SELECT 1 AS one').get())).toBe('{"one":1}');
    expect(a.prepare('SELECT count(*) FROM t').pluck().get()).toBe(500);
    expect(a.pragma('journal_mode', { simple: true })).toBe('wal');
    a.close();
    b.close();
  });

  it('binds a lone blob or NULL positionally', () => {
    const { a, b } = twoConnections();
    a.prepare('INSERT INTO t (b) VALUES (?)').run(Buffer.from('x'));
    a.prepare('INSERT INTO t (b) VALUES (?)').run(null);
    expect(a.prepare('SELECT count(*) FROM t WHERE x IS NULL').pluck().get()).toBe(2);
    a.close();
    b.close();
  });

  it('reports the error that ended a transaction, not its rollback', () => {
    const { a, b } = twoConnections();
    // a statement error inside the transaction: SQLite keeps it open, the wrapper rolls it back
    const bad = a.transaction(() => a.exec('INSERT INTO nope VALUES (1)'));
    expect(() => bad.immediate()).toThrow(/no such table: nope/);
    expect(a.inTransaction).toBe(false);
    // an error after which SQLite has already rolled back: ROLLBACK would fail, the real error must surface
    const ended = a.transaction(() => {
      a.exec('ROLLBACK');
      throw new Error('the disk is full');
    });
    expect(() => ended.immediate()).toThrow('the disk is full');
    a.close();
    b.close();
  });
});

describe('the statement cache (openSqlite statementCache, the sandbox)', () => {
  it('answers like fresh statements: pluck stays with its caller, a schema change is seen, the bound holds', () => {
    const db = openSqlite(':memory:', { statementCache: 2 });
    try {
      db.exec('CREATE TABLE c (name TEXT, n INTEGER)');
      db.prepare('INSERT INTO c (name, n) VALUES (?, ?)').run('a', 1);
      db.prepare('INSERT INTO c (name, n) VALUES (?, ?)').run('b', 2);
      const sql = 'SELECT name, n FROM c ORDER BY name';
      expect(db.prepare(sql).pluck().all()).toEqual(['a', 'b']);
      expect(db.prepare(sql).all()).toEqual([
        { name: 'a', n: 1 },
        { name: 'b', n: 2 },
      ]);
      db.exec('ALTER TABLE c ADD COLUMN extra TEXT');
      db.prepare('UPDATE c SET extra = ? WHERE name = ?').run('x', 'a');
      expect(db.prepare('SELECT * FROM c WHERE name = ?').get('a')).toEqual({ name: 'a', n: 1, extra: 'x' });
      // more distinct queries than the bound: still right (the cache starts over)
      for (let i = 0; i < 5; i++) expect(db.prepare(`SELECT ${i} AS v`).get()).toEqual({ v: i });
      expect(db.prepare(sql).all()).toHaveLength(2);
    } finally {
      db.close();
    }
  });
});
