import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../electron/core/alerts/engine.js';
import { parseRule, type Rule } from '../../electron/core/alerts/rule.js';
import { renderTemplate } from '../../electron/core/alerts/template.js';
import type { AlertMessage } from '../../electron/core/alerts/types.js';

/** A local-time base so quiet-hour tests mean the same in every time zone: 2024-03-05 12:00. */
const NOON = new Date(2024, 2, 5, 12, 0, 0).getTime();
const MIN = 60_000;

function setup(rules: unknown[], maxPerMinute?: number) {
  const clock = { t: NOON, now() { return this.t; } };
  const engine = new AlertEngine({ clock, ...(maxPerMinute ? { maxPerMinute } : {}) });
  const parsed: Rule[] = rules.map((r, i) => parseRule({ id: `r${i}`, name: `rule ${i}`, topicFilter: 'home/#', cooldownSeconds: 0, ...(r as object) }));
  engine.setRules(parsed);
  let seq = 0;
  const send = (topic: string, payload: unknown, profileId = 'p1') => {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    let json: unknown;
    try { json = JSON.parse(text); } catch { json = undefined; }
    const msg: AlertMessage = { id: ++seq, profileId, topic, receivedAt: clock.t, text, json };
    return engine.evaluate(msg);
  };
  return { clock, engine, send };
}

const fires = (alerts: unknown[]) => alerts.length;

describe('conditions', () => {
  it('any: every matching message, filtered by topic and profile', () => {
    const { send } = setup([{ condition: { kind: 'any' }, profileId: 'p1' }]);
    expect(fires(send('home/temp', { data: 1 }))).toBe(1);
    expect(fires(send('office/temp', { data: 1 }))).toBe(0);
    expect(fires(send('home/temp', { data: 1 }, 'p2'))).toBe(0);
  });

  it('compare: numbers (also numeric strings), strings, booleans, nested paths, raw payloads', () => {
    const gt = setup([{ condition: { kind: 'compare', path: 'data.temp', op: '>', value: 30 } }]);
    expect(fires(gt.send('home/a', { data: { temp: 31 } }))).toBe(1);
    expect(fires(gt.send('home/a', { data: { temp: '30.5' } }))).toBe(1);
    expect(fires(gt.send('home/a', { data: { temp: 30 } }))).toBe(0);
    expect(fires(gt.send('home/a', { data: { hum: 99 } }))).toBe(0);
    expect(fires(gt.send('home/a', { temp: 35 }))).toBe(1); // no envelope: data is the payload
    const eq = setup([
      { condition: { kind: 'compare', path: '$.data.items[1].v', op: '=', value: 'on' } },
      { condition: { kind: 'compare', op: '!=', value: true } },
      { condition: { kind: 'compare', op: '<=', value: 5 } },
    ]);
    expect(eq.send('home/a', { data: { items: [{ v: 'off' }, { v: 'on' }] } }).map((a) => a.ruleId)).toEqual(['r0']);
    expect(eq.send('home/a', { data: false }).map((a) => a.ruleId)).toEqual(['r1']);
    expect(eq.send('home/a', '4').map((a) => a.ruleId)).toEqual(['r2']);
    expect(eq.send('home/a', 'not json').map((a) => a.ruleId)).toEqual([]);
  });

  it('changed: per topic, not on the first value', () => {
    const { send } = setup([{ condition: { kind: 'changed', path: 'data' } }]);
    expect(fires(send('home/a', { data: 'on' }))).toBe(0);
    expect(fires(send('home/a', { data: 'on' }))).toBe(0);
    expect(fires(send('home/b', { data: 'off' }))).toBe(0);
    expect(fires(send('home/a', { data: 'off' }))).toBe(1);
    expect(fires(send('home/a', { data: { x: 1 } }))).toBe(1);
    expect(fires(send('home/a', { data: { x: 1 } }))).toBe(0);
  });

  it('crosses: up, down and either, per topic', () => {
    const { send } = setup([
      { condition: { kind: 'crosses', threshold: 10, direction: 'up' } },
      { condition: { kind: 'crosses', threshold: 10, direction: 'down' } },
      { condition: { kind: 'crosses', threshold: 10, direction: 'either' } },
    ]);
    const ids = (payload: unknown, topic = 'home/a') => send(topic, payload).map((a) => a.ruleId);
    expect(ids({ data: 5 })).toEqual([]);
    expect(ids({ data: 8 })).toEqual([]);
    expect(ids({ data: 12 }, 'home/b')).toEqual([]); // first value on another topic
    expect(ids({ data: 10 })).toEqual(['r0', 'r2']);
    expect(ids({ data: 'n/a' })).toEqual([]);
    expect(ids({ data: 15 })).toEqual([]);
    expect(ids({ data: 9.5 })).toEqual(['r1', 'r2']);
  });

  it('contains: case-insensitive by default, case-sensitive on request; binary never matches', () => {
    const { engine, send } = setup([
      { condition: { kind: 'contains', text: 'ALARM' } },
      { condition: { kind: 'contains', text: 'ALARM', caseSensitive: true } },
    ]);
    expect(send('home/a', 'fire alarm').map((a) => a.ruleId)).toEqual(['r0']);
    expect(send('home/a', 'ALARM').map((a) => a.ruleId)).toEqual(['r0', 'r1']);
    const binary = engine.evaluate({ profileId: 'p1', topic: 'home/a', receivedAt: NOON, text: null, json: undefined });
    expect(binary).toEqual([]);
  });

  it('regex: matches anywhere, honours flags', () => {
    const { send } = setup([{ condition: { kind: 'regex', pattern: 'err(or)?\\s+\\d+', flags: 'i' } }]);
    expect(fires(send('home/a', 'got ERROR 42'))).toBe(1);
    expect(fires(send('home/a', 'all fine'))).toBe(0);
  });

  it('regex: a pathological pattern on a huge input returns', () => {
    const { send } = setup([{ condition: { kind: 'regex', pattern: '(a+)+$' } }, { condition: { kind: 'regex', pattern: '(x+x+)+y' } }]);
    // catastrophic for a backtracking engine; linear for re2
    expect(send('home/a', `${'a'.repeat(60_000)}!`)).toEqual([]);
    expect(send('home/a', 'x'.repeat(60_000))).toEqual([]);
    // past 64 KB only the head is matched: the input is clipped, so `$` meets the clip
    expect(send('home/a', `${'a'.repeat(200_000)}!`).map((a) => a.ruleId)).toEqual(['r0']);
  });
});

describe('cooldown, quiet hours, flood', () => {
  it('cooldown is per rule and topic', () => {
    const { clock, send } = setup([{ condition: { kind: 'any' }, cooldownSeconds: 60 }]);
    expect(fires(send('home/a', '1'))).toBe(1);
    expect(fires(send('home/a', '2'))).toBe(0);
    expect(fires(send('home/b', '3'))).toBe(1);
    clock.t += 59_000;
    expect(fires(send('home/a', '4'))).toBe(0);
    clock.t += 1_000;
    expect(fires(send('home/a', '5'))).toBe(1);
  });

  it('quiet hours wrap midnight, and suppressed alerts are counted', () => {
    const { clock, engine, send } = setup([{ condition: { kind: 'any' }, quietHours: { start: '22:00', end: '07:00' } }]);
    const at = (h: number, m: number) => new Date(2024, 2, 5, h, m).getTime();
    const cases: [number, number, boolean][] = [[21, 59, true], [22, 0, false], [23, 30, false], [0, 30, false], [6, 59, false], [7, 0, true], [12, 0, true]];
    for (const [h, m, shown] of cases) {
      clock.t = at(h, m);
      expect(fires(send('home/a', 'x')), `${h}:${m}`).toBe(shown ? 1 : 0);
    }
    expect(engine.stats().suppressedQuiet).toBe(4);
  });

  it('quiet hours inside one day', () => {
    const { clock, send } = setup([{ condition: { kind: 'any' }, quietHours: { start: '12:30', end: '13:00' } }]);
    clock.t = new Date(2024, 2, 5, 12, 45).getTime();
    expect(fires(send('home/a', 'x'))).toBe(0);
    clock.t = new Date(2024, 2, 5, 23, 45).getTime();
    expect(fires(send('home/a', 'x'))).toBe(1);
  });

  it('flood control shows N a minute and summarizes the rest once the window ends', () => {
    const { clock, engine, send } = setup([{ condition: { kind: 'any' } }], 5);
    let shown = 0;
    for (let i = 0; i < 17; i++) shown += fires(send(`home/t${i}`, 'x'));
    expect(shown).toBe(5);
    expect(engine.tick()).toEqual([]); // window still open
    clock.t += 60_000;
    const [summary, ...rest] = engine.tick();
    expect(rest).toEqual([]);
    expect(summary?.summary).toEqual({ count: 12, filter: 'home/#' });
    expect(summary?.title).toBe('12 more alerts from home/#');
    expect(engine.tick()).toEqual([]); // once per window
    expect(fires(send('home/x', 'x'))).toBe(1); // a new window
  });

  it('a flood summary also comes out of the next evaluate', () => {
    const { clock, send } = setup([{ condition: { kind: 'any' } }], 1);
    send('home/a', '1');
    send('home/b', '2');
    clock.t += 61_000;
    const out = send('home/c', '3');
    expect(out.map((a) => a.summary?.count ?? 'alert')).toEqual([1, 'alert']);
  });
});

describe('silence detection', () => {
  it('fires once after N minutes without a message, and re-arms on a message', () => {
    const { clock, engine, send } = setup([{ condition: { kind: 'silent', minutes: 10 }, topicFilter: 'home/fridge' }]);
    clock.t += 9 * MIN;
    expect(engine.tick()).toEqual([]);
    expect(send('home/fridge', '4')).toEqual([]); // a message never fires a silence rule
    clock.t += 9 * MIN;
    expect(engine.tick()).toEqual([]);
    clock.t += 1 * MIN;
    const [alert] = engine.tick();
    expect(alert).toMatchObject({ ruleId: 'r0', topic: 'home/fridge', profileId: null, body: 'no message for 10 min' });
    clock.t += 30 * MIN;
    expect(engine.tick()).toEqual([]); // once per silence
    send('home/other', '1');
    clock.t += 30 * MIN;
    expect(engine.tick()).toEqual([]); // other topics do not re-arm
    send('home/fridge', '5');
    clock.t += 10 * MIN;
    expect(engine.tick()).toHaveLength(1);
  });

  it('a silence during quiet hours fires when they end', () => {
    const start = new Date(2024, 2, 5, 21, 0).getTime();
    const { clock, engine } = setup([]);
    clock.t = start;
    engine.setRules([parseRule({ id: 's', name: 's', topicFilter: 'a/b', condition: { kind: 'silent', minutes: 90 }, quietHours: { start: '22:00', end: '07:00' } })]);
    clock.t = new Date(2024, 2, 5, 23, 0).getTime();
    expect(engine.tick()).toEqual([]);
    clock.t = new Date(2024, 2, 6, 7, 0).getTime();
    expect(engine.tick()).toHaveLength(1);
  });
});

describe('templates and robustness', () => {
  it('renders placeholders, keeps unknown ones, clips values', () => {
    const { send } = setup([
      {
        condition: { kind: 'compare', path: 'data.temp', op: '>', value: 30 },
        titleTemplate: '{channel}/{resource} is {value} ({rule})',
        bodyTemplate: '{topic} at {ts} {unknown}',
      },
    ]);
    const [alert] = send('home/kitchen/extra', { data: { temp: 31.5 } });
    expect(alert?.title).toBe('home/kitchen is 31.5 (rule 0)');
    expect(alert?.body).toBe(`home/kitchen/extra at ${new Date(NOON).toISOString()} {unknown}`);
    expect(alert?.messageId).toBe(1);
    const [long] = setup([{ condition: { kind: 'any' }, bodyTemplate: '{value}' }]).send('home/a', { data: 'v'.repeat(5000) });
    expect(long!.body.length).toBeLessThanOrEqual(200);
    expect(long!.body.endsWith('…')).toBe(true);
  });

  it('renderTemplate handles short topics, objects and repeated placeholders', () => {
    const vars = { topic: 'solo', value: { a: [1, 2] }, ts: 0, rule: 'R' };
    expect(renderTemplate('{channel}|{resource}|{value}|{value}|{ {x}', vars, 100)).toBe('solo||{"a":[1,2]}|{"a":[1,2]}|{ {x}');
    expect(renderTemplate('{ts}', { ...vars, ts: NaN }, 100)).toBe('');
    expect(renderTemplate('{topic}'.repeat(50), { ...vars, topic: 'x'.repeat(50) }, 120)).toHaveLength(120);
  });

  it('skips disabled rules and never throws on odd input', () => {
    const { engine, send } = setup([{ condition: { kind: 'any' }, enabled: false }, { condition: { kind: 'compare', op: '>', value: 1 } }]);
    expect(send('home/a', { data: 5 }).map((a) => a.ruleId)).toEqual(['r1']);
    const odd = { profileId: 'p1', topic: 'home/a', receivedAt: NaN, text: '{', json: Object.create(null) as unknown };
    expect(() => engine.evaluate(odd)).not.toThrow();
  });

  it('keeps state of unchanged rules across setRules', () => {
    const { engine, send } = setup([{ condition: { kind: 'changed' } }]);
    send('home/a', { data: 1 });
    engine.setRules([parseRule({ id: 'r0', name: 'rule 0', topicFilter: 'home/#', cooldownSeconds: 0, condition: { kind: 'changed' } })]);
    expect(fires(send('home/a', { data: 2 }))).toBe(1);
  });
});
