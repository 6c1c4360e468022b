import * as Database from '../../electron/core/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertStore } from '../../electron/core/alerts/store.js';
import { RuleError } from '../../electron/core/alerts/rule.js';
import { alertMessageFromDTO, testRule } from '../../electron/core/alerts/test-rule.js';
import { parseRule } from '../../electron/core/alerts/rule.js';
import type { AlertMessage, FiredAlert } from '../../electron/core/alerts/types.js';

const alert = (i: number): FiredAlert => ({
  id: `a${i}`,
  ruleId: i % 2 ? 'odd' : 'even',
  ruleName: 'r',
  profileId: 'p1',
  topic: 'home/a',
  messageId: i,
  title: `t${i}`,
  body: 'b',
  at: 1000 + i,
});

describe('AlertStore', () => {
  let db: Database.Database;
  let store: AlertStore;
  beforeEach(() => {
    db = Database.openSqlite(':memory:');
    store = new AlertStore(db, 10);
  });
  afterEach(() => db.close());

  it('round-trips rules, updates in place, enables/disables and removes', () => {
    const saved = store.saveRule({
      name: 'Hot',
      topicFilter: 'home/+/temp',
      condition: { kind: 'compare', path: 'data.t', op: '>', value: 30 },
      quietHours: { start: '22:00', end: '07:00' },
    });
    expect(store.listRules()).toEqual([saved]);
    store.saveRule({ ...saved, name: 'Hotter' });
    expect(store.listRules().map((r) => r.name)).toEqual(['Hotter']);
    expect(store.setEnabled(saved.id, false)?.enabled).toBe(false);
    expect(new AlertStore(db).getRule(saved.id)?.enabled).toBe(false); // same tables, second instance
    expect(store.removeRule(saved.id)).toBe(true);
    expect(store.removeRule(saved.id)).toBe(false);
    expect(store.listRules()).toEqual([]);
  });

  it('rejects an invalid rule and writes nothing', () => {
    expect(() => store.saveRule({ name: 'x', topicFilter: '#', condition: { kind: 'regex', pattern: '(' } })).toThrow(RuleError);
    expect(store.listRules()).toEqual([]);
  });

  it('skips a stored rule that no longer validates', () => {
    db.prepare('INSERT INTO alert_rules(id, json, updated_at) VALUES (?, ?, ?)').run('bad', '{"name":1}', 0);
    expect(store.listRules()).toEqual([]);
    expect(store.invalidRules).toBe(1);
  });

  it('keeps the newest history, counts unread, marks read', () => {
    store.addHistory(Array.from({ length: 15 }, (_, i) => alert(i)));
    const history = store.history({ limit: 100 });
    expect(history.map((a) => a.id)).toEqual(Array.from({ length: 10 }, (_, i) => `a${14 - i}`));
    expect(history[0]).toEqual({ ...alert(14), read: false });
    expect(store.unreadCount()).toBe(10);
    expect(store.markRead(['a14', 'a13', 'nope'])).toBe(2);
    expect(store.unreadCount()).toBe(8);
    expect(store.history({ unreadOnly: true, ruleId: 'odd' }).map((a) => a.id)).toEqual(['a11', 'a9', 'a7', 'a5']);
    expect(store.markRead('all')).toBe(8);
    expect(store.unreadCount()).toBe(0);
    store.addHistory([alert(14)]); // duplicate id ignored
    expect(store.history().length).toBe(10);
    expect(store.clearHistory()).toBe(10);
  });
});

describe('testRule', () => {
  const msg = (i: number, data: unknown, topic = 'home/a', at = i * 60_000): AlertMessage => ({
    id: i,
    profileId: 'p1',
    topic,
    receivedAt: at,
    text: JSON.stringify({ data }),
    json: { data },
  });

  it('reports which recent messages would fire, oldest first, ignoring cooldown', () => {
    const rule = parseRule({
      name: 'up',
      topicFilter: 'home/#',
      cooldownSeconds: 3600,
      condition: { kind: 'crosses', threshold: 10, direction: 'up' },
    });
    const hits = testRule(rule, [msg(4, 12), msg(3, 5), msg(2, 11), msg(1, 3), msg(5, 20, 'office/a')]);
    expect(hits.map((h) => h.message.id)).toEqual([2, 4]);
    expect(hits[0]?.alert.messageId).toBe(2);
  });

  it('finds silences as gaps between messages', () => {
    const rule = parseRule({ name: 'quiet fridge', topicFilter: 'home/a', condition: { kind: 'silent', minutes: 10 } });
    const hits = testRule(rule, [msg(1, 1), msg(2, 1, 'home/a', 5 * 60_000), msg(3, 1, 'home/a', 30 * 60_000)]);
    expect(hits.map((h) => [h.message.id, h.alert.at])).toEqual([[3, 15 * 60_000]]);
  });

  it('builds engine input from a stored message', () => {
    const m = alertMessageFromDTO({
      id: 7,
      profileId: 'p',
      topic: 't/r',
      receivedAt: 1,
      qos: 0,
      retain: false,
      size: 12,
      kind: 'json',
      preview: '{"data":42}',
      clipped: false,
    });
    expect(m).toEqual({ id: 7, profileId: 'p', topic: 't/r', receivedAt: 1, text: '{"data":42}', json: { data: 42 } });
    const clipped = alertMessageFromDTO({
      id: 8,
      profileId: 'p',
      topic: 't/r',
      receivedAt: 1,
      qos: 0,
      retain: false,
      size: 9000,
      kind: 'json',
      preview: '{"data":"xx',
      clipped: true,
      envelope: { data: 'x…' },
    });
    expect(clipped.json).toEqual({ data: 'x…' });
  });
});
