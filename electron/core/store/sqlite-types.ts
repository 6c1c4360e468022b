/** The SQLite API the app uses (a subset of better-sqlite3's), apart from store/sqlite.ts so type-only users
 * (the contract, which the preload compiles) never pull in the binding. */

export type Params = unknown[];

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement {
  run(...params: Params): RunResult;
  get(...params: Params): unknown;
  all(...params: Params): unknown[];
  iterate(...params: Params): IterableIterator<unknown>;
  /** from now on get/all/iterate give each row's first column instead of the row */
  pluck(): Statement;
}

export type Transaction<F extends (...args: never[]) => unknown> = F & {
  deferred: F;
  immediate: F;
  exclusive: F;
};

export interface Database {
  /** the file it was opened on (`:memory:` for a private in-memory one) */
  readonly name: string;
  readonly open: boolean;
  readonly inTransaction: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): void;
  /** `PRAGMA source`: its rows, or with `simple` the first column of the first row */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  transaction<F extends (...args: never[]) => unknown>(fn: F): Transaction<F>;
  close(): void;
}

