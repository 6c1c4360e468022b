import { describe, expect, it } from 'vitest';
import { ApiError, methodParams, parseCall } from '../../electron/api.js';

function rejection(method: unknown, params: unknown): ApiError {
  try {
    parseCall(method, params);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected parseCall to reject');
}

describe('the api.ts contract validates every inbound call', () => {
  it('accepts a well-formed publish and fills defaults', () => {
    const { method, params } = parseCall('messages.publish', { profileId: 'sandbox', topic: 'demo/temp', data: '21' });
    expect(method).toBe('messages.publish');
    expect(params).toEqual({
      profileId: 'sandbox',
      topic: 'demo/temp',
      data: '21',
      write: false,
      ispublic: false,
      qos: 0,
      retain: false,
      raw: false,
    });
  });

  it('beebotte.read takes the time ranges History takes: spans and named periods, one rule (common/read-ranges.ts)', () => {
    const read = { profileId: 'sandbox', channel: 'demo', resource: 'temperature' };
    for (const timeRange of ['6hour', '30min', '2years', 'today', 'last-week', 'ytd']) {
      expect((parseCall('beebotte.read', { ...read, timeRange }).params as { timeRange: string }).timeRange).toBe(timeRange);
      expect(() => parseCall('history.read', { ...read, timeRange })).not.toThrow();
    }
    const bad = rejection('beebotte.read', { ...read, timeRange: 'forever' });
    expect(bad.code).toBe('invalid_params');
    expect(bad.message).toContain('time range "forever" is not one Beebotte reads');
    expect(rejection('history.read', { ...read, timeRange: 'forever' }).message).toContain('time range "forever" is not one Beebotte reads');
  });

  it('checks an alert rule itself at the boundary: a bad regex, JSON path or filter never reaches a handler', () => {
    const rule = { name: 'hot', topicFilter: 'demo/#', condition: { kind: 'regex', pattern: '(' } };
    const regex = rejection('alerts.saveRule', { rule });
    expect(regex.code).toBe('invalid_params');
    expect(regex.message).toMatch(/rule\.condition\.pattern: invalid regex/);
    const path = rejection('alerts.testRule', { rule: { ...rule, condition: { kind: 'changed', path: 'data[' } } });
    expect(path.message).toMatch(/rule\.condition\.path: invalid JSON path/);
    const filter = rejection('alerts.saveRule', { rule: { ...rule, topicFilter: 'a/#/b', condition: { kind: 'any' } } });
    expect(filter.message).toMatch(/rule\.topicFilter: invalid topic filter/);
    // a valid one comes out parsed, defaults filled
    const ok = parseCall('alerts.saveRule', { rule: { ...rule, condition: { kind: 'any' } } }).params as { rule: { cooldownSeconds: number } };
    expect(ok.rule.cooldownSeconds).toBe(60);
  });

  it('refuses unknown methods, including prototype names', () => {
    expect(rejection('nope', {}).code).toBe('unknown_method');
    expect(rejection('constructor', {}).code).toBe('unknown_method');
    expect(rejection('__proto__', {}).code).toBe('unknown_method');
    expect(rejection(42, {}).code).toBe('unknown_method');
  });

  it('refuses QoS 3, extra keys and wrong types with a message naming the field', () => {
    // QoS 2 is valid in the contract (generic brokers); the core refuses it for Beebotte and sandbox profiles
    const qos3 = rejection('messages.publish', { profileId: 'p', topic: 'a/b', data: '1', qos: 3 });
    expect(qos3.code).toBe('invalid_params');
    expect(qos3.message).toContain('qos');
    const badProp = rejection('messages.publish', { profileId: 'p', topic: 'a/b', data: '1', properties: { topicAlias: 3 } });
    expect(badProp.message).toMatch(/topicAlias|unrecognized/i);
    const extra = rejection('sessions.connect', { profileId: 'p', evil: true });
    expect(extra.message).toMatch(/evil|unrecognized/i);
    expect(rejection('messages.get', { id: '7' }).code).toBe('invalid_params');
    expect(rejection('profiles.remove', { id: '../../etc/passwd' }).code).toBe('invalid_params');
  });

  it('treats missing params as {} and still validates required fields', () => {
    expect(parseCall('app.info', undefined).params).toEqual({});
    expect(rejection('sessions.connect', undefined).code).toBe('invalid_params');
    expect(rejection('app.info', { x: 1 }).code).toBe('invalid_params');
  });

  it('bounds sizes: a profile name over 64 characters is refused', () => {
    expect(rejection('profiles.save', { name: 'x'.repeat(65), kind: 'mqtt' }).code).toBe('invalid_params');
  });

  it('survives a thousand random calls without anything but ApiError', () => {
    const names = [...Object.keys(methodParams), 'x', '', 'toString'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const junk = () => [null, 1, 'a', [], {}, { profileId: 'p' }, { id: -1 }, { topic: 5 }, true][Math.floor(rnd() * 9)];
    for (let i = 0; i < 1000; i++) {
      try {
        parseCall(names[Math.floor(rnd() * names.length)], junk());
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
      }
    }
  });
});
