import { describe, expect, it } from 'vitest';
import { NOON, fires, setup } from '../tools/alert-engine-harness.js';

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
    const { send } = setup([
      { condition: { kind: 'regex', pattern: '(a+)+$' } },
      { condition: { kind: 'regex', pattern: '(x+x+)+y' } },
    ]);
    // catastrophic for a backtracking engine; linear for re2
    expect(send('home/a', `${'a'.repeat(60_000)}!`)).toEqual([]);
    expect(send('home/a', 'x'.repeat(60_000))).toEqual([]);
    // past 64 KB only the head is matched: the input is clipped, so `$` meets the clip
    expect(send('home/a', `${'a'.repeat(200_000)}!`).map((a) => a.ruleId)).toEqual(['r0']);
  });
});
