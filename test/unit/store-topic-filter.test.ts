import { describe, expect, it } from 'vitest';
import { filterToGlob, topicFilterError, topicMatches } from '../../electron/core/store/topic-filter.js';

describe('store topic filters', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/b', 'a/B', false],
    ['a/+', 'a/b', true],
    ['a/+', 'a/', true],
    ['a/+', 'a/b/c', false],
    ['a/+/c', 'a/x/c', true],
    ['a/+/c', 'a/x/y/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/#', 'ab', false],
    ['#', 'anything/at/all', true],
    ['#', '$SYS/broker', false],
    ['+/x', '$SYS/x', false],
    ['$SYS/#', '$SYS/broker', true],
    ['a%b/+', 'a%b/c', true],
    ['a%b/+', 'axb/c', false],
    ['a_b/#', 'axb/c', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('rejects malformed filters with a reason', () => {
    expect(topicFilterError('a/#/b')).toMatch(/"#" must be a whole level/);
    expect(topicFilterError('a/b#')).toMatch(/"#"/);
    expect(topicFilterError('a/b+/c')).toMatch(/"\+" must be a whole level/);
    expect(topicFilterError('')).toMatch(/empty/);
    expect(topicFilterError('a/+/#')).toBeNull();
  });

  it('builds GLOB patterns that treat GLOB specials in names literally', () => {
    expect(filterToGlob('a/+/c')).toBe('a/*/c');
    expect(filterToGlob('a/#')).toBe('a*');
    expect(filterToGlob('#')).toBe('*');
    expect(filterToGlob('we*ird?/[x]/+')).toBe('we[*]ird[?]/[[]x]/*');
  });
});
