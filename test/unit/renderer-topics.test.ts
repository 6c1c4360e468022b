import { describe, expect, it } from 'vitest';
import { splitBeebotte, topicFilterError, topicMatcher } from '../../renderer/src/lib/topics.js';
import { filterToRegex } from '../../electron/core/store/topic-filter.js';

/** What the store's history query (SQLite REGEXP) says a filter matches; its engine reads these patterns as JS does. */
const storeMatches = (filter: string, topic: string) => new RegExp(filterToRegex(filter)).test(topic);

/** The log filter the user types: what it shows live must be what MQTT (and the store's query) says it matches. */
const matches = (filter: string, topic: string) => topicMatcher(filter)(topic);

describe('renderer topic filter: + is exactly one level', () => {
  it.each([
    ['demo/+', 'demo/temp', true],
    ['demo/+', 'demo/', true], // an empty level is still a level
    ['demo/+', 'demo', false],
    ['demo/+', 'demo/a/b', false],
    ['demo/+/value', 'demo/x/value', true],
    ['demo/+/value', 'demo/x/y/value', false],
    ['+/+', '/finance', true],
    ['+', '/finance', false],
  ])('%s on %s → %s', (filter, topic, expected) => {
    expect(matches(filter, topic)).toBe(expected);
  });
});

describe('renderer topic filter: # is the rest, parent included', () => {
  it.each([
    ['demo/#', 'demo', true],
    ['demo/#', 'demo/a', true],
    ['demo/#', 'demo/a/b/c', true],
    ['demo/#', 'demox', false],
    ['demo/#', 'other/demo', false],
    ['#', 'anything/at/all', true],
    ['demo/+/#', 'demo/a', true],
    ['demo/+/#', 'demo', false],
  ])('%s on %s → %s', (filter, topic, expected) => {
    expect(matches(filter, topic)).toBe(expected);
  });
});

describe('renderer topic filter: $ topics', () => {
  it('# and a leading + never show $SYS topics', () => {
    expect(matches('#', '$SYS/broker/uptime')).toBe(false);
    expect(matches('+/broker/uptime', '$SYS/broker/uptime')).toBe(false);
  });

  it('a filter that names $SYS does match it', () => {
    expect(matches('$SYS/#', '$SYS/broker/uptime')).toBe(true);
    expect(matches('$SYS/+/uptime', '$SYS/broker/uptime')).toBe(true);
  });
});

describe('renderer topic filter: exact filters', () => {
  it('are case-sensitive and match only themselves', () => {
    expect(matches('demo/temp', 'demo/temp')).toBe(true);
    expect(matches('demo/temp', 'demo/Temp')).toBe(false);
    expect(matches('demo/temp', 'demo/temp/x')).toBe(false);
    expect(matches('demo/temp', 'demo')).toBe(false);
  });

  it('one compiled matcher serves many topics', () => {
    const m = topicMatcher('home/+/temp');
    expect(['home/kitchen/temp', 'home/attic/temp', 'home/temp', 'home/a/b/temp'].filter(m)).toEqual([
      'home/kitchen/temp',
      'home/attic/temp',
    ]);
  });
});

describe('renderer topic filter agrees with the store query', () => {
  // the live log and a history query must show the same messages for one filter
  const filters = ['#', 'a/#', 'a/+', '+/b', 'a/+/c', '+/+', 'a/b', '+', 'a/+/#', '$SYS/#'];
  const topics = ['a', 'a/', 'a/b', 'a/b/c', 'a/x/c', 'b', 'x/b', '/b', 'a//c', '$SYS/a', '$SYS/a/b'];
  for (const filter of filters) {
    it(`filter ${filter}`, () => {
      for (const topic of topics) expect([topic, matches(filter, topic)]).toEqual([topic, storeMatches(filter, topic)]);
    });
  }
});

describe('topicFilterError', () => {
  it.each(['demo/#', '#', '+', 'demo/+/temp', '+/+/#', 'demo/temp', '$SYS/#'])('accepts %s', (f) => {
    expect(topicFilterError(f)).toBeNull();
  });

  it.each([
    ['demo/#/x', /"#" must be a whole level at the end/],
    ['demo#', /"#"/],
    ['demo/te#', /"#"/],
    ['demo/+x', /"\+" must be a whole level/],
    ['de+mo/temp', /"\+"/],
  ])('rejects %s with a reason', (filter, reason) => {
    expect(topicFilterError(filter)).toMatch(reason);
  });
});

describe('splitBeebotte', () => {
  it('splits channel/resource', () => {
    expect(splitBeebotte('demo/temperature')).toEqual({ channel: 'demo', resource: 'temperature' });
  });

  it.each(['demo', 'demo/a/b', '/temperature', 'demo/', ''])('%s is not a Beebotte resource topic', (t) => {
    expect(splitBeebotte(t)).toBeNull();
  });
});
