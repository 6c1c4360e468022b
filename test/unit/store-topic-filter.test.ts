import { describe, expect, it } from 'vitest';
import { openSqlite } from '../../electron/core/store/sqlite.js';
import { filterToGlob, filterToRegex, topicFilterError, topicMatches } from '../../electron/core/store/topic-filter.js';

const CASES: [string, string, boolean][] = [
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
    ['a.b/+', 'axb/c', false],
    ['a.b/+', 'a.b/c', true],
    ['(x)|y/#', '(x)|y/z', true],
    ['(x)|y/#', 'y/z', false],
    ['+/+', '/', true],
    ['+/#', 'a/b/x/c', true],
    ['+/x/#', 'a/b/x/c', false],
    ['ü/+/€', 'ü/1/€', true],
    ['a/+', 'a/b\nc', true],
    ['a/#', 'a/b\nc/d', true],
];

describe('store topic filters', () => {
  it.each(CASES)('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  // the log's queries decide in SQL: GLOB to narrow by index, REGEXP for the exact rule
  it.each(CASES)('SQLite agrees that %s matches %s: %s', (filter, topic, expected) => {
    const db = openSqlite(':memory:');
    const row = db.prepare('SELECT ? GLOB ? AND ? REGEXP ? AS hit').get(topic, filterToGlob(filter), topic, filterToRegex(filter)) as { hit: number };
    db.close();
    expect(row.hit === 1).toBe(expected);
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
