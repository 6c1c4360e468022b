import { describe, expect, it } from 'vitest';
import type { TopicStat } from '../../electron/api.js';
import { TopicTree, filterRows, nameHits, searchTerms } from '../../renderer/src/lib/tree.js';

function stat(topic: string, extra: Partial<TopicStat> = {}): TopicStat {
  return { profileId: 'p1', topic, count: 1, rate: 0, lastAt: 0, lastValue: '', ...extra };
}

function treeOf(...topics: string[]): TopicTree {
  const tree = new TopicTree();
  for (const t of topics) tree.apply(stat(t));
  return tree;
}

const paths = (rows: { path: string }[]) => rows.map((r) => r.path);

describe('topic search over the tree', () => {
  const topics = ['demo/temperature', 'demo/humidity', 'garden/soil/temp', 'garden/soil/moisture', 'garage/door'];

  it('keeps the matching topics and their ancestors, in tree order', () => {
    const tree = treeOf(...topics);
    const found = filterRows(tree.root, searchTerms('temp'));
    expect(paths(found.rows)).toEqual(['demo', 'demo/temperature', 'garden', 'garden/soil', 'garden/soil/temp']);
    expect(found.matches).toBe(2);
  });

  it('ignores case, and every word must be in the path (either order, across levels)', () => {
    const tree = treeOf(...topics);
    expect(paths(filterRows(tree.root, searchTerms('SOIL Temp')).rows)).toEqual(['garden', 'garden/soil', 'garden/soil/temp']);
    expect(paths(filterRows(tree.root, searchTerms('temp soil')).rows)).toEqual(['garden', 'garden/soil', 'garden/soil/temp']);
    expect(paths(filterRows(tree.root, searchTerms('demo/hum')).rows)).toEqual(['demo', 'demo/humidity']);
  });

  it('a matching level brings everything below it', () => {
    const tree = treeOf(...topics);
    expect(paths(filterRows(tree.root, searchTerms('garden')).rows)).toEqual([
      'garden',
      'garden/soil',
      'garden/soil/moisture',
      'garden/soil/temp',
    ]);
  });

  it('shows matches inside folded levels, and folding comes back when the search is cleared', () => {
    const tree = treeOf(...topics);
    // levels below the top start folded
    expect(paths(tree.flatten())).not.toContain('garden/soil/temp');
    tree.search('moist');
    expect(paths(tree.flatten())).toEqual(['garden', 'garden/soil', 'garden/soil/moisture']);
    expect(tree.matches).toBe(1);
    tree.search('');
    expect(paths(tree.flatten())).not.toContain('garden/soil/moisture');
  });

  it('no match gives no rows; an empty query gives none either (the caller shows the plain tree)', () => {
    const tree = treeOf(...topics);
    expect(filterRows(tree.root, searchTerms('nothing-like-this')).rows).toEqual([]);
    expect(filterRows(tree.root, []).rows).toEqual([]);
  });

  it('a new topic that matches marks the rows stale and shows up on the next flatten', () => {
    const tree = treeOf(...topics);
    tree.search('door');
    expect(paths(tree.flatten())).toEqual(['garage', 'garage/door']);
    expect(tree.structureChanged).toBe(false);
    tree.apply(stat('house/front/door'));
    expect(tree.structureChanged).toBe(true);
    expect(paths(tree.flatten())).toEqual(['garage', 'garage/door', 'house', 'house/front', 'house/front/door']);
  });

  it('finds the few matches among 50,000 topics', () => {
    const tree = new TopicTree();
    for (let i = 0; i < 50_000; i++) tree.apply(stat(`site${i % 50}/device${i}/value`));
    const found = filterRows(tree.root, searchTerms('device4242/'));
    expect(paths(found.rows)).toEqual(['site42', 'site42/device4242', 'site42/device4242/value']);
  });

  it('highlights each search word, and each level of a word that spans levels, in a name', () => {
    expect(nameHits('temperature', ['temp'])).toEqual([0, 1, 2, 3]);
    expect(nameHits('Temperature', searchTerms('demo/TEMP'))).toEqual([0, 1, 2, 3]);
    expect(nameHits('abab', ['ab'])).toEqual([0, 1, 2, 3]);
    expect(nameHits('humidity', ['temp'])).toEqual([]);
  });
});
