import type * as Database from './sqlite-types.js';

/**
 * App settings as JSON values under string keys (profiles, templates, history, budgets…).
 * Callers own the shape of their values: `get` returns the fallback when a key is missing or its
 * stored value is not valid JSON, so a damaged row can never crash a reader.
 */
export class Settings {
  private readonly getStmt: Database.Statement;
  private readonly setStmt: Database.Statement;
  private readonly deleteStmt: Database.Statement;
  private readonly keysStmt: Database.Statement;

  constructor(db: Database.Database) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
    this.deleteStmt = db.prepare('DELETE FROM settings WHERE key = ?');
    this.keysStmt = db.prepare("SELECT key FROM settings WHERE key GLOB ? || '*' ORDER BY key");
  }

  get<T>(key: string, fallback: T): T {
    const row = this.getStmt.get(key) as { value: string } | undefined;
    if (!row) return fallback;
    try {
      return JSON.parse(row.value) as T;
    } catch {
      return fallback;
    }
  }

  /** Stores `value` as JSON; `undefined` deletes the key. Throws on values JSON cannot represent. */
  set(key: string, value: unknown): void {
    if (typeof key !== 'string' || key === '') throw new TypeError('settings: key must be a non-empty string');
    if (value === undefined) {
      this.delete(key);
      return;
    }
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`settings: the value of ${key} cannot be stored as JSON`);
    this.setStmt.run(key, json, Date.now());
  }

  delete(key: string): boolean {
    return this.deleteStmt.run(key).changes > 0;
  }

  /** Keys starting with `prefix` (literal, no wildcards), sorted. */
  keys(prefix = ''): string[] {
    const literal = prefix.replace(/[*?[]/g, (c) => `[${c}]`);
    return (this.keysStmt.all(literal) as { key: string }[]).map((r) => r.key);
  }
}
