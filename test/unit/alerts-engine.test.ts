import { describe, expect, it } from 'vitest';
import { parseRule } from '../../electron/core/alerts/rule.js';
import { renderTemplate } from '../../electron/core/alerts/template.js';
import { NOON, fires, setup } from '../tools/alert-engine-harness.js';

const MIN = 60_000;

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
    const cases: [number, number, boolean][] = [
      [21, 59, true],
      [22, 0, false],
      [23, 30, false],
      [0, 30, false],
      [6, 59, false],
      [7, 0, true],
      [12, 0, true],
    ];
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

  it('saving settings keeps the alerts the flood gate holds; a new limit applies at once', () => {
    const { clock, engine, send } = setup([{ condition: { kind: 'any' } }], 1);
    expect(fires(send('home/a', '1'))).toBe(1);
    expect(fires(send('home/b', '2'))).toBe(0);
    engine.setMaxPerMinute(1); // a settings save with the same limit
    expect(fires(send('home/c', '3'))).toBe(0);
    engine.setMaxPerMinute(3); // a higher limit: two more this minute
    expect(fires(send('home/d', '4'))).toBe(1);
    expect(fires(send('home/e', '5'))).toBe(1);
    expect(fires(send('home/f', '6'))).toBe(0);
    engine.setMaxPerMinute(Number.NaN); // never "hold everything"
    clock.t += 60_000;
    expect(engine.tick().map((a) => a.summary?.count)).toEqual([3]);
    for (let i = 0; i < 5; i++) expect(fires(send(`home/n${i}`, 'x'))).toBe(1);
    expect(fires(send('home/n5', 'x'))).toBe(0);
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
    expect(alert).toMatchObject({ ruleId: 'r0', topic: 'home/fridge', profileId: 'p1', body: 'no message for 10 min' });
    clock.t += 30 * MIN;
    expect(engine.tick()).toEqual([]); // once per silence
    send('home/other', '1');
    clock.t += 30 * MIN;
    expect(engine.tick()).toEqual([]); // other topics do not re-arm
    send('home/fridge', '5');
    clock.t += 10 * MIN;
    expect(engine.tick()).toHaveLength(1);
  });

  it('a wildcard filter reports each silent topic, while other devices keep publishing', () => {
    const { clock, engine, send } = setup([{ condition: { kind: 'silent', minutes: 10 }, topicFilter: 'home/+/temp' }]);
    send('home/kitchen/temp', '20');
    send('home/garage/temp', '8');
    send('home/garage/temp', '8', 'p2'); // the same topic on another profile is another device
    const seen: string[] = [];
    for (let minute = 1; minute <= 25; minute++) {
      clock.t += MIN;
      send('home/kitchen/temp', '21'); // the kitchen sensor lives on
      if (minute <= 5) send('home/garage/temp', '9', 'p2');
      for (const a of engine.tick()) seen.push(`${minute} ${a.profileId} ${a.topic} ${a.body}`);
    }
    expect(seen).toEqual(['10 p1 home/garage/temp no message for 10 min', '15 p2 home/garage/temp no message for 10 min']);
    send('home/garage/temp', '7'); // back: re-armed for the next silence
    clock.t += 10 * MIN;
    expect(engine.tick().map((a) => `${a.profileId} ${a.topic}`)).toEqual(['p1 home/kitchen/temp', 'p1 home/garage/temp']);
  });

  it('a wildcard filter nothing matched is reported once as the filter', () => {
    const { clock, engine } = setup([{ condition: { kind: 'silent', minutes: 10 }, topicFilter: 'home/+/temp' }]);
    clock.t += 10 * MIN;
    expect(engine.tick().map((a) => `${a.profileId} ${a.topic}`)).toEqual(['null home/+/temp']);
    clock.t += 10 * MIN;
    expect(engine.tick()).toEqual([]);
  });

  it('a silence during quiet hours fires when they end', () => {
    const start = new Date(2024, 2, 5, 21, 0).getTime();
    const { clock, engine } = setup([]);
    clock.t = start;
    engine.setRules([
      parseRule({
        id: 's',
        name: 's',
        topicFilter: 'a/b',
        condition: { kind: 'silent', minutes: 90 },
        quietHours: { start: '22:00', end: '07:00' },
      }),
    ]);
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
    const { engine, send } = setup([
      { condition: { kind: 'any' }, enabled: false },
      { condition: { kind: 'compare', op: '>', value: 1 } },
    ]);
    expect(send('home/a', { data: 5 }).map((a) => a.ruleId)).toEqual(['r1']);
    const odd = { profileId: 'p1', topic: 'home/a', receivedAt: NaN, text: '{', json: Object.create(null) as unknown };
    expect(() => engine.evaluate(odd)).not.toThrow();
  });

  it('keeps state of unchanged rules across setRules', () => {
    const { engine, send } = setup([{ condition: { kind: 'changed' } }]);
    send('home/a', { data: 1 });
    engine.setRules([
      parseRule({ id: 'r0', name: 'rule 0', topicFilter: 'home/#', cooldownSeconds: 0, condition: { kind: 'changed' } }),
    ]);
    expect(fires(send('home/a', { data: 2 }))).toBe(1);
  });
});
