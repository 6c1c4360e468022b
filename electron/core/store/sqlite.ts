import { createRequire } from 'node:module';
import type { Database, Params, RunResult, Statement, Transaction } from './sqlite-types.js';

export type * from './sqlite-types.js';

/**
 * The one place that opens SQLite. The binding is libsql: a Node-API addon shipped inside npm packages
 * (@libsql/<platform>), so the same node_modules loads in Node (CLI, `apiary serve`, tests) and in
 * Electron's main process — an ABI-specific addon (better-sqlite3) loads in only one of them.
 *
 * libsql keeps better-sqlite3's API, with quirks this wrapper hides so callers see plain rows:
 * `get()` adds an enumerable `_metadata` (it would leak into JSON and spreads), `iterate()`/`all()` give
 * blobs as ArrayBuffer where `get()` gives a Buffer, `pluck()` does not apply to `get()`, a lone Buffer or
 * null argument is taken for a named-parameter object, a loop that leaves `iterate()` early keeps the
 * statement (and its read snapshot) open, a failed transaction's error is replaced by its
 * ROLLBACK's, and `db.function()` is not implemented (use SQL;
 * libsql has REGEXP built in).
 */

const requireCjs = createRequire(import.meta.url);
/** resolved lazily: a module graph that never opens a database never loads the addon */
let binding: (new (file: string) => LibsqlDatabase) | null = null;

/** The resolved path of the binding's entry, for worker threads that open their own connection. */
export function sqliteModulePath(): string {
  return requireCjs.resolve('libsql');
}

interface LibsqlStatement {
  run(...params: Params): RunResult;
  get(...params: Params): Record<string, unknown> | undefined;
  iterate(...params: Params): IterableIterator<Record<string, unknown>>;
}
interface LibsqlDatabase {
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): LibsqlStatement;
  exec(sql: string): void;
  close(): void;
}

export interface OpenOptions {
  /**
   * Keep up to this many prepared statements by their SQL, so code that calls prepare() at each use (the
   * sandbox's, one query a message) compiles each query once: a prepare costs ~22 µs, a run of it ~2.
   * Statements are not re-entrant: none may be used inside an iterate() of the same SQL.
   */
  statementCache?: number;
}

/** Opens (creating when needed) a database file, or `:memory:`. Throws the binding's error as is. */
export function openSqlite(file: string, options: OpenOptions = {}): Database {
  binding ??= requireCjs('libsql') as new (file: string) => LibsqlDatabase;
  return new SqliteDatabase(new binding(file), file, options.statementCache ?? 0);
}

class SqliteDatabase implements Database {
  private readonly statements = new Map<string, LibsqlStatement>();

  constructor(
    private readonly db: LibsqlDatabase,
    readonly name: string,
    private readonly cacheSize: number,
  ) {}

  get open(): boolean {
    return this.db.open;
  }

  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  prepare(sql: string): Statement {
    if (this.cacheSize <= 0) return new SqliteStatement(this.db.prepare(sql));
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= this.cacheSize) this.statements.clear();
      this.statements.set(sql, stmt);
    }
    // a fresh wrapper each time: pluck() is per caller
    return new SqliteStatement(stmt);
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(source: string, options: { simple?: boolean } = {}): unknown {
    const stmt = this.prepare(`PRAGMA ${source}`);
    if (!options.simple) return stmt.all();
    const row = stmt.get() as Record<string, unknown> | undefined;
    return row ? Object.values(row)[0] : undefined;
  }

  /**
   * Ours, not libsql's: after an error that already ended the transaction (SQLITE_FULL rolls back by itself)
   * libsql's wrapper issues ROLLBACK anyway and throws "no transaction is active", hiding the real error.
   */
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F> {
    const wrap = (mode: string) =>
      ((...args: never[]) => {
        this.db.exec(`BEGIN ${mode}`);
        try {
          const result = fn(...args);
          this.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (this.db.inTransaction) this.db.exec('ROLLBACK');
          throw err;
        }
      }) as F;
    return Object.assign(wrap(''), { deferred: wrap('DEFERRED'), immediate: wrap('IMMEDIATE'), exclusive: wrap('EXCLUSIVE') });
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

class SqliteStatement implements Statement {
  private plucked = false;

  constructor(private readonly stmt: LibsqlStatement) {}

  pluck(): Statement {
    this.plucked = true;
    return this;
  }

  run(...params: Params): RunResult {
    return this.stmt.run(...bindable(params));
  }

  get(...params: Params): unknown {
    const row = this.stmt.get(...bindable(params));
    return row === undefined ? undefined : this.shape(row);
  }

  all(...params: Params): unknown[] {
    const rows: unknown[] = [];
    for (const row of this.stmt.iterate(...bindable(params))) rows.push(this.shape(row));
    return rows;
  }

  /**
   * A loop that stops early (break, return, throw) would leave libsql's statement open, and an open statement
   * pins its read snapshot: the connection then sees stale rows and its next write fails at once with
   * "database is locked" once another connection (the off-thread writer) has committed. libsql has no reset
   * but get() resets the statement, so an early exit ends with one get().
   */
  *iterate(...params: Params): IterableIterator<unknown> {
    const bound = bindable(params);
    let finished = false;
    try {
      for (const row of this.stmt.iterate(...bound)) yield this.shape(row);
      finished = true;
    } finally {
      if (!finished) this.stmt.get(...bound);
    }
  }

  private shape(row: Record<string, unknown>): unknown {
    const plain = plainRow(row);
    return this.plucked ? Object.values(plain)[0] : plain;
  }
}

/** libsql takes any lone object argument for named parameters: a lone blob or NULL must stay positional. */
function bindable(params: Params): Params {
  if (params.length !== 1) return params;
  const only = params[0];
  return only === null || ArrayBuffer.isView(only) ? [params] : params;
}

function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  if ('_metadata' in row) delete row._metadata;
  for (const key in row) {
    const value = row[key];
    if (value instanceof ArrayBuffer) row[key] = Buffer.from(value);
  }
  return row;
}
