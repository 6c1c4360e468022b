/**
 * Connect/disconnect ("device offline") alert rules: the condition's schema (a profile and the signaling filter
 * required, old rules untouched), its matching (event, client id and channel patterns), its per-client cooldown,
 * that only presence events feed it (a session's own signaling/# messages never fire it twice), and that rules
 * stored by an earlier Apiary still load beside new ones.
 */
import { describe, expect, it } from 'vitest';
import * as Database from '../../electron/core/store/sqlite.js';
import { AlertEngine } from '../../electron/core/alerts/engine.js';
import { compileGlob } from '../../electron/core/alerts/glob.js';
import { presenceMessage } from '../../electron/core/alerts/presence-message.js';
import { parseRule, RuleError } from '../../electron/core/alerts/rule.js';
import { AlertStore } from '../../electron/core/alerts/store.js';
import { testRule } from '../../electron/core/alerts/test-rule.js';
import type { PresenceEventDTO } from '../../electron/api.js';
import { NOON } from '../tools/alert-engine-harness.js';

const presenceRule = (condition: object, extra: object = {}) =>
  parseRule({ id: 'off', name: 'Offline', profileId: 'p1', topicFilter: 'signaling/#', cooldownSeconds: 0, condition: { kind: 'presence', ...condition }, ...extra });

const event = (e: Partial<PresenceEventDTO>): PresenceEventDTO => ({
  profileId: 'p1',
  event: 'disconnect',
  clientid: 'garage-1',
  channel: 'home',
  protocol: 'mqtt',
  at: NOON,
  source: 'signaling',
  ...e,
});

function engineWith(...rules: ReturnType<typeof parseRule>[]) {
  const clock = { t: NOON, now: () => clock.t };
  const engine = new AlertEngine({ clock, maxPerMinute: 100 });
  engine.setRules(rules);
  return { engine, clock, fire: (e: Partial<PresenceEventDTO>) => engine.evaluatePresence(presenceMessage(event(e))) };
}

describe('the presence condition', () => {
  it('defaults to "any client disconnects", and needs a profile and the signaling filter', () => {
    expect(presenceRule({}).condition).toEqual({ kind: 'presence', event: 'disconnect', clientId: '*', channel: '*' });
    expect(() => presenceRule({}, { profileId: null })).toThrow(/profileId: a connect\/disconnect rule watches one account/);
    expect(() => presenceRule({}, { topicFilter: 'home/#' })).toThrow(RuleError);
    expect(() => presenceRule({}, { topicFilter: 'home/#' })).toThrow(/use the topic filter signaling\/#/);
    // the disconnect topic alone is enough
    expect(presenceRule({}, { topicFilter: 'signaling/disconnect' }).topicFilter).toBe('signaling/disconnect');
    expect(() => presenceRule({ clientId: '' })).toThrow(/condition.clientId/);
    expect(() => presenceRule({ clientId: 'a\u0000b' })).toThrow(/control characters/);
    expect(() => presenceRule({ event: 'gone' })).toThrow(/condition.event/);
  });

  it('fires on a matching event, client id and channel, naming the device', () => {
    const { fire } = engineWith(presenceRule({ clientId: 'garage-*', channel: 'home' }));
    const [alert] = fire({});
    expect(alert).toMatchObject({ ruleName: 'Offline', profileId: 'p1', topic: 'signaling/disconnect', body: 'garage-1 disconnected (channel home, mqtt)' });
    expect(fire({ event: 'connect' })).toHaveLength(0);
    expect(fire({ clientid: 'kitchen-1' })).toHaveLength(0);
    expect(fire({ channel: 'office' })).toHaveLength(0);
    expect(fire({ channel: null })).toHaveLength(0); // account keys have no channel: only * matches them
    expect(fire({ profileId: 'p2' })).toHaveLength(0);
  });

  it('either event, any channel (account keys included), ? for one character', () => {
    const { fire } = engineWith(presenceRule({ event: 'either', clientId: 'sensor-?' }));
    expect(fire({ clientid: 'sensor-1', event: 'connect', channel: null, protocol: 'ws' })[0]?.body).toBe('sensor-1 connected (ws)');
    expect(fire({ clientid: 'sensor-2' })).toHaveLength(1);
    expect(fire({ clientid: 'sensor-10' })).toHaveLength(0);
  });

  it('keeps its cooldown per client: one flapping device does not hide another going offline', () => {
    const { fire, clock } = engineWith(presenceRule({}, { cooldownSeconds: 60 }));
    expect(fire({ clientid: 'a' })).toHaveLength(1);
    expect(fire({ clientid: 'a' })).toHaveLength(0);
    expect(fire({ clientid: 'b' })).toHaveLength(1);
    clock.t += 60_000;
    expect(fire({ clientid: 'a' })).toHaveLength(1);
  });

  it('is fed by presence events only: a stored signaling message does not fire it again, and other rules ignore presence', () => {
    const any = parseRule({ id: 'all', name: 'All', topicFilter: '#', cooldownSeconds: 0, condition: { kind: 'any' } });
    const { engine, fire } = engineWith(presenceRule({}), any);
    const msg = presenceMessage(event({}));
    expect(engine.evaluate(msg).map((a) => a.ruleId)).toEqual(['all']);
    expect(fire({}).map((a) => a.ruleId)).toEqual(['off']);
    expect(engine.presenceProfiles()).toEqual(['p1']);
    // but "Test against recent messages" reads stored signaling messages alike
    expect(testRule(presenceRule({}), [msg]).map((h) => h.alert.body)).toEqual(['garage-1 disconnected (channel home, mqtt)']);
  });

  it('a disabled presence rule watches nothing', () => {
    const { engine } = engineWith(presenceRule({}, { enabled: false }));
    expect(engine.presenceProfiles()).toEqual([]);
  });
});

describe('stored rules', () => {
  it('rules written before presence existed load unchanged beside a presence rule', () => {
    const db = Database.openSqlite(':memory:');
    try {
      const store = new AlertStore(db);
      // as an earlier Apiary wrote them: the full parsed rule as JSON, no presence fields anywhere
      const old = [
        { id: 'r-hot', name: 'Hot', enabled: true, profileId: null, topicFilter: 'home/+/temp', condition: { kind: 'compare', path: 'data', op: '>', value: 30 }, cooldownSeconds: 60, titleTemplate: '{rule}: {topic}', bodyTemplate: '{value}' },
        { id: 'r-quiet', name: 'Quiet', enabled: false, profileId: 'p1', topicFilter: 'demo/#', condition: { kind: 'silent', minutes: 10 }, cooldownSeconds: 0, quietHours: { start: '22:00', end: '07:00' }, titleTemplate: 't', bodyTemplate: 'b' },
      ];
      const insert = db.prepare('INSERT INTO alert_rules(id, json, updated_at) VALUES (?, ?, ?)');
      for (const r of old) insert.run(r.id, JSON.stringify(r), 1);
      store.saveRule({ id: 'r-off', name: 'Off', profileId: 'p1', topicFilter: 'signaling/#', condition: { kind: 'presence', clientId: 'g-*' } });
      const loaded = store.listRules();
      expect(store.invalidRules).toBe(0);
      expect(loaded.slice(0, 2)).toEqual(old);
      expect(loaded[2]?.condition).toEqual({ kind: 'presence', event: 'disconnect', clientId: 'g-*', channel: '*' });
    } finally {
      db.close();
    }
  });
});

describe('glob patterns', () => {
  it('matches * and ? and nothing else specially', () => {
    expect(compileGlob('*')('anything')).toBe(true);
    expect(compileGlob('garage-*')('garage-')).toBe(true);
    expect(compileGlob('garage-*')('my-garage-1')).toBe(false);
    expect(compileGlob('*-door-*')('front-door-2')).toBe(true);
    expect(compileGlob('a?c')('abc')).toBe(true);
    expect(compileGlob('a?c')('ac')).toBe(false);
    expect(compileGlob('a.c')('abc')).toBe(false); // a dot is a dot
    expect(compileGlob('Sensor')('sensor')).toBe(false);
    expect(compileGlob('*a*a*a*a*b')('a'.repeat(5000))).toBe(false); // bounded, no blow-up
  });
});
