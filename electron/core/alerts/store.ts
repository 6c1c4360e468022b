/**
 * Rules and fired-alert history in SQLite. Rules are stored as JSON and re-validated on load; history
 * keeps the newest HISTORY_LIMIT alerts with a read flag (the unread count in the tray and status bar).
 */
import type * as Database from '../store/sqlite-types.js';
import type { FiredAlert, StoredAlert } from '../../api/alerts.js';
import { parseRule, type Rule } from './rule.js';

export type { StoredAlert } from '../../api/alerts.js';

export const HISTORY_LIMIT = 1000;

interface HistoryRow {
  json: string;
  read: number;
}

export class AlertStore {
  /** rules whose stored JSON no longer validates (skipped by listRules, kept in the table) */
  invalidRules = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly historyLimit = HISTORY_LIMIT,
  ) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS alert_rules(
        id TEXT PRIMARY KEY,
        json TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS alert_history(
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        rule_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        read INTEGER NOT NULL DEFAULT 0,
        json TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS alert_history_unread ON alert_history(read) WHERE read = 0;
    `);
  }

  listRules(): Rule[] {
    const rows = this.db.prepare('SELECT json FROM alert_rules ORDER BY rowid').all() as { json: string }[];
    const rules: Rule[] = [];
    let invalid = 0;
    for (const row of rows) {
      try {
        rules.push(parseRule(JSON.parse(row.json)));
      } catch {
        invalid++;
      }
    }
    this.invalidRules = invalid;
    return rules;
  }

  getRule(id: string): Rule | null {
    const row = this.db.prepare('SELECT json FROM alert_rules WHERE id = ?').get(id) as { json: string } | undefined;
    if (!row) return null;
    try {
      return parseRule(JSON.parse(row.json));
    } catch {
      return null;
    }
  }

  /** Validates and upserts a rule. Throws RuleError for invalid input (nothing is written). */
  saveRule(input: unknown, now = Date.now()): Rule {
    const rule = parseRule(input);
    this.db
      .prepare(
        `INSERT INTO alert_rules(id, json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at`,
      )
      .run(rule.id, JSON.stringify(rule), now);
    return rule;
  }

  setEnabled(id: string, enabled: boolean): Rule | null {
    const rule = this.getRule(id);
    if (!rule) return null;
    return this.saveRule({ ...rule, enabled });
  }

  removeRule(id: string): boolean {
    return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  /** Appends fired alerts (one transaction) and trims history to the newest `historyLimit`. */
  addHistory(alerts: readonly FiredAlert[]): void {
    if (alerts.length === 0) return;
    const insert = this.db.prepare('INSERT OR IGNORE INTO alert_history(id, rule_id, at, read, json) VALUES (?, ?, ?, 0, ?)');
    const trim = this.db.prepare(
      `DELETE FROM alert_history WHERE seq <= (
         SELECT seq FROM alert_history ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    );
    this.db.transaction(() => {
      for (const alert of alerts) insert.run(alert.id, alert.ruleId, alert.at, JSON.stringify(alert));
      trim.run(this.historyLimit);
    })();
  }

  /** Newest first; at most `limit` (default 100). */
  history(options: { limit?: number; ruleId?: string; unreadOnly?: boolean } = {}): StoredAlert[] {
    const limit = Math.min(Math.max(1, options.limit ?? 100), this.historyLimit);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (options.ruleId) {
      where.push('rule_id = ?');
      args.push(options.ruleId);
    }
    if (options.unreadOnly) where.push('read = 0');
    const sql = `SELECT json, read FROM alert_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, limit) as HistoryRow[];
    const out: StoredAlert[] = [];
    for (const row of rows) {
      try {
        out.push({ ...(JSON.parse(row.json) as FiredAlert), read: row.read === 1 });
      } catch {
        // a row we cannot read is skipped, never fatal
      }
    }
    return out;
  }

  unreadCount(): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM alert_history WHERE read = 0').get() as { n: number };
    return row.n;
  }

  /** Marks the given alerts (or all) read; returns how many changed. */
  markRead(ids: readonly string[] | 'all'): number {
    if (ids === 'all') return this.db.prepare('UPDATE alert_history SET read = 1 WHERE read = 0').run().changes;
    const update = this.db.prepare('UPDATE alert_history SET read = 1 WHERE id = ? AND read = 0');
    let changed = 0;
    this.db.transaction(() => {
      for (const id of ids) changed += update.run(id).changes;
    })();
    return changed;
  }

  clearHistory(): number {
    return this.db.prepare('DELETE FROM alert_history').run().changes;
  }
}
