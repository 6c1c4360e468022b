/** The sandbox's SQLite file: schema and migrations (PRAGMA user_version counts the applied steps). */
import * as Database from '../core/store/sqlite.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export type Db = Database.Database;

const MIGRATIONS: string[] = [
  `CREATE TABLE accounts (
     owner TEXT PRIMARY KEY,
     api_key TEXT NOT NULL UNIQUE,
     secret_key TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE channels (
     owner TEXT NOT NULL REFERENCES accounts(owner) ON DELETE CASCADE,
     name TEXT NOT NULL,
     label TEXT NOT NULL DEFAULT '',
     description TEXT NOT NULL DEFAULT '',
     ispublic INTEGER NOT NULL DEFAULT 0,
     token TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (owner, name)
   );
   CREATE TABLE resources (
     owner TEXT NOT NULL,
     channel TEXT NOT NULL,
     name TEXT NOT NULL,
     label TEXT NOT NULL DEFAULT '',
     description TEXT NOT NULL DEFAULT '',
     vtype TEXT NOT NULL DEFAULT 'any',
     send_on_subscribe INTEGER NOT NULL DEFAULT 0,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (owner, channel, name),
     FOREIGN KEY (owner, channel) REFERENCES channels(owner, name) ON DELETE CASCADE
   );
   CREATE TABLE records (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     owner TEXT NOT NULL,
     channel TEXT NOT NULL,
     resource TEXT NOT NULL,
     data TEXT NOT NULL,
     ts INTEGER NOT NULL,
     wts INTEGER NOT NULL,
     ispublic INTEGER NOT NULL DEFAULT 0,
     FOREIGN KEY (owner, channel, resource) REFERENCES resources(owner, channel, name) ON DELETE CASCADE
   );
   CREATE INDEX records_by_resource ON records(owner, channel, resource, ts);
   CREATE INDEX records_by_wts ON records(wts);
   CREATE TABLE iam_tokens (
     token TEXT PRIMARY KEY,
     owner TEXT NOT NULL REFERENCES accounts(owner) ON DELETE CASCADE,
     name TEXT NOT NULL DEFAULT '',
     channels TEXT
   );`,
  // IAM tokens get Beebotte's shape: an id, a description and an ACL; a channel list becomes data:read/write rules
  `ALTER TABLE iam_tokens ADD COLUMN id TEXT;
   ALTER TABLE iam_tokens ADD COLUMN description TEXT NOT NULL DEFAULT '';
   ALTER TABLE iam_tokens ADD COLUMN acl TEXT NOT NULL DEFAULT '[]';
   ALTER TABLE iam_tokens ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
   UPDATE iam_tokens SET id = lower(hex(randomblob(12))), acl = CASE
     WHEN channels IS NULL THEN '[{"action":"data:read"},{"action":"data:write"}]'
     ELSE json_array(json_object('action', 'data:read', 'resource', json(channels)),
                     json_object('action', 'data:write', 'resource', json(channels))) END;
   CREATE UNIQUE INDEX iam_tokens_by_id ON iam_tokens(id);`,
  // Beerules (beerules.ts) and the newest runs of each (a bounded log)
  `CREATE TABLE beerules (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL REFERENCES accounts(owner) ON DELETE CASCADE,
     name TEXT NOT NULL,
     description TEXT NOT NULL DEFAULT '',
     enabled INTEGER NOT NULL DEFAULT 1,
     trigger TEXT NOT NULL,
     condition TEXT,
     action TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX beerules_by_owner ON beerules(owner);
   CREATE TABLE beerule_runs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     rule_id TEXT NOT NULL REFERENCES beerules(id) ON DELETE CASCADE,
     ts INTEGER NOT NULL,
     run TEXT NOT NULL
   );
   CREATE INDEX beerule_runs_by_rule ON beerule_runs(rule_id, seq);`,
];

export function openDb(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = Database.openSqlite(join(dataDir, 'sandbox.sqlite'), { statementCache: 256 });
  // as the core's store: a commit waits for no fsync (WAL keeps the file consistent; an OS crash may lose the last
  // commits, an app crash none). Each fsync took 5–70 ms here under load, several of them on a first run's way to
  // the desk (migrations, the demo account) and one per persisted record after that. Set before the switch to WAL,
  // which then syncs less on a first run too (median 8.5 → 3.7 ms here)
  db.pragma('synchronous = NORMAL');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  if (applied > MIGRATIONS.length) {
    // a newer Apiary wrote it: running on would read tables this build does not know
    throw new Error(
      `the sandbox data at ${db.name} was written by a newer Apiary (schema ${applied}, this build knows ${MIGRATIONS.length}): update Apiary, or use another --data dir`,
    );
  }
  // every pending step in one transaction: one commit on a first run, and all or nothing
  db.transaction(() => {
    for (let step = applied; step < MIGRATIONS.length; step++) {
      db.exec(MIGRATIONS[step]!);
      db.pragma(`user_version = ${step + 1}`);
    }
  })();
}
