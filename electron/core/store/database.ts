import fs from 'node:fs';
import path from 'node:path';
import * as Database from './sqlite.js';
import { migrations } from './migrations.js';

/** Thrown when the store cannot be opened; the message names the file and what to do about it. */
export class StoreOpenError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot open the message store at ${file}: ${reason}`);
    this.name = 'StoreOpenError';
  }
}

/**
 * Opens (creating when needed) the app's SQLite database and brings its schema up to date.
 * `':memory:'` gives a private in-memory database (tests).
 */
export function openDatabase(file: string): Database.Database {
  const inMemory = file === ':memory:';
  if (!inMemory) checkWritable(file);
  let db: Database.Database;
  try {
    db = Database.openSqlite(file);
  } catch (err) {
    throw new StoreOpenError(file, reasonOf(err));
  }
  try {
    // WAL: readers (queries, export) never block the ingest writer. NORMAL is crash-safe in WAL mode
    // (a killed process loses nothing committed; only a power cut may lose the last commits).
    if (!inMemory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // Touches the file's header: a file that is not a SQLite database fails here, not later.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof StoreOpenError) throw err;
    throw new StoreOpenError(file, reasonOf(err));
  }
  return db;
}

/** Applies the numbered migrations not applied yet, each in its own transaction. */
function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const row = db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
  const current = row.v ?? 0;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreOpenError(
      db.name,
      `it was written by a newer Apiary (schema ${current}, this build knows ${latest}): update Apiary`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
  }
}

function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreOpenError(file, `cannot create its folder ${dir} (${reasonOf(err)})`);
  }
  try {
    // WAL mode creates -wal and -shm files next to the database: the folder must be writable too.
    fs.accessSync(dir, fs.constants.W_OK);
    if (fs.existsSync(file)) {
      if (!fs.statSync(file).isFile()) throw new Error('it is not a regular file');
      fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    }
  } catch (err) {
    throw new StoreOpenError(file, `not writable (${reasonOf(err)}): check its permissions`);
  }
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/not a database|file is encrypted/i.test(message)) {
    return 'the file is not an Apiary database (or it is damaged): move it away and restart';
  }
  if (/readonly|read-only/i.test(message)) return 'the file is read-only: check its permissions';
  return message;
}
