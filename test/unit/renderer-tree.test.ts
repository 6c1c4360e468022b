import { describe, expect, it } from 'vitest';
import type { TopicStat } from '../../electron/api.js';
import { TopicTree } from '../../renderer/src/lib/tree.js';

function stat(topic: string, count: number, extra: Partial<TopicStat> = {}): TopicStat {
  return { profileId: 'p1', topic, count, rate: 0, lastAt: 0, lastValue: '', ...extra };
}

const names = (rows: { path: string }[]) => rows.map((r) => r.path);

describe('TopicTree: counts roll up to channels', () => {
  it('a channel shows the sum of its resources and how many topics it holds', () => {
    const tree = new TopicTree();
    tree.apply(stat('demo/temperature', 5, { rate: 1.5 }));
    tree.apply(stat('demo/humidity', 3, { rate: 0.5 }));
    tree.apply(stat('garden/soil', 7, { rate: 2 }));
    const demo = tree.byPath.get('demo')!;
    expect(demo.total).toBe(8);
    expect(demo.rate).toBeCloseTo(2);
    expect(demo.topics).toBe(2);
    expect(tree.root.total).toBe(15);
    expect(tree.root.topics).toBe(3);
    expect(tree.byPath.get('garden')!.total).toBe(7);
  });

  it('a new stat for a known topic replaces its count, it does not add it again', () => {
    const tree = new TopicTree();
    tree.apply(stat('demo/temperature', 5, { rate: 2 }));
    tree.apply(stat('demo/temperature', 9, { rate: 1 }));
    const demo = tree.byPath.get('demo')!;
    expect(demo.total).toBe(9);
    expect(demo.rate).toBeCloseTo(1);
    expect(demo.topics).toBe(1);
    expect(tree.byPath.get('demo/temperature')!.stat!.count).toBe(9);
  });

  it('rolls up through deep levels, a level with its own messages counted once', () => {
    const tree = new TopicTree();
    tree.apply(stat('home', 1));
    tree.apply(stat('home/kitchen/temp', 2));
    tree.apply(stat('home/kitchen/light/state', 4));
    expect(tree.byPath.get('home/kitchen')!.total).toBe(6);
    expect(tree.byPath.get('home/kitchen')!.topics).toBe(2);
    expect(tree.byPath.get('home')!.total).toBe(7);
    expect(tree.byPath.get('home')!.topics).toBe(3);
  });

  it('last-seen time of a channel is its newest resource, never moving back', () => {
    const tree = new TopicTree();
    tree.apply(stat('demo/a', 1, { lastAt: 2000 }));
    tree.apply(stat('demo/b', 1, { lastAt: 1000 }));
    expect(tree.byPath.get('demo')!.lastAt).toBe(2000);
    tree.apply(stat('demo/b', 2, { lastAt: 3000 }));
    expect(tree.byPath.get('demo')!.lastAt).toBe(3000);
    expect(tree.byPath.get('demo/a')!.lastAt).toBe(2000);
  });
});

describe('TopicTree: building and folding', () => {
  it('creates each level once with its path and depth', () => {
    const tree = new TopicTree();
    const leaf = tree.ensure('a/b/c');
    expect(leaf.path).toBe('a/b/c');
    expect(leaf.depth).toBe(2);
    expect(leaf.parent!.path).toBe('a/b');
    expect(tree.ensure('a/b/c')).toBe(leaf);
    expect(tree.ensure('a/b')).toBe(leaf.parent);
    expect([...tree.byPath.keys()].sort()).toEqual(['a', 'a/b', 'a/b/c']);
  });

  it('channels are open, deeper levels closed until expanded', () => {
    const tree = new TopicTree();
    tree.apply(stat('demo/temperature', 1));
    tree.apply(stat('home/kitchen/temp', 1));
    expect(names(tree.flatten())).toEqual(['demo', 'demo/temperature', 'home', 'home/kitchen']);
    tree.byPath.get('home/kitchen')!.expanded = true;
    expect(names(tree.flatten())).toEqual(['demo', 'demo/temperature', 'home', 'home/kitchen', 'home/kitchen/temp']);
    tree.byPath.get('home')!.expanded = false;
    expect(names(tree.flatten())).toEqual(['demo', 'demo/temperature', 'home']);
  });

  it('sorts names the way people count (sensor2 before sensor10)', () => {
    const tree = new TopicTree();
    for (const t of ['s/sensor10', 's/sensor2', 's/sensor1', 's/Alpha', 's/beta']) tree.ensure(t);
    expect(tree.childNames('s').map((n) => n.name)).toEqual(['Alpha', 'beta', 'sensor1', 'sensor2', 'sensor10']);
  });

  it('a topic added later appears in sorted place', () => {
    const tree = new TopicTree();
    tree.ensure('c/x');
    tree.ensure('a/x');
    expect(tree.childNames('').map((n) => n.name)).toEqual(['a', 'c']);
    tree.ensure('b/x');
    expect(tree.childNames('').map((n) => n.name)).toEqual(['a', 'b', 'c']);
  });

  it('flags structure changes so the view re-flattens only when needed', () => {
    const tree = new TopicTree();
    tree.apply(stat('demo/a', 1));
    expect(tree.structureChanged).toBe(true);
    tree.flatten();
    expect(tree.structureChanged).toBe(false);
    tree.apply(stat('demo/a', 2));
    expect(tree.structureChanged).toBe(false);
    tree.apply(stat('demo/b', 1));
    expect(tree.structureChanged).toBe(true);
  });

  it('childNames of an unknown path is empty', () => {
    const tree = new TopicTree();
    tree.ensure('demo/a');
    expect(tree.childNames('nope')).toEqual([]);
    expect(tree.childNames('demo').map((n) => n.path)).toEqual(['demo/a']);
  });
});

describe('TopicTree: the retained-only view', () => {
  it('shows only topics holding a retained message and the levels above them, and follows a clear', () => {
    const tree = new TopicTree();
    tree.apply(stat('home/door', 1, { retained: true }));
    tree.apply(stat('home/light', 4));
    tree.apply(stat('garden/soil', 2));
    tree.apply(stat('garden/gate/lock', 1, { retained: true }));
    tree.setRetainedOnly(true);
    expect(names(tree.flatten())).toEqual(['garden', 'garden/gate', 'garden/gate/lock', 'home', 'home/door']);
    expect(tree.matches).toBe(2);
    tree.apply(stat('home/door', 2, { retained: false })); // an empty retained payload cleared it
    expect(tree.structureChanged).toBe(true);
    expect(names(tree.flatten())).toEqual(['garden', 'garden/gate', 'garden/gate/lock']);
    tree.setRetainedOnly(false);
    expect(names(tree.flatten())).toContain('home/light');
  });
});
