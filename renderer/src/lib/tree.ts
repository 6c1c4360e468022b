/**
 * The topic tree as plain objects (not reactive): stats land here at any rate, aggregates roll up
 * along the path (O(depth) per topic), and the view flattens only expanded nodes, once per frame.
 */
import type { TopicStat } from '../../../electron/api';

export interface TreeNode {
  name: string;
  /** the topic of this level, e.g. demo/temperature */
  path: string;
  depth: number;
  parent: TreeNode | null;
  children: Map<string, TreeNode>;
  /** sorted children, rebuilt only after a child was added */
  order: TreeNode[] | null;
  stat: TopicStat | null;
  declared: { vtype?: string; label?: string; description?: string } | null;
  /** messages in this subtree */
  total: number;
  /** messages per second in this subtree */
  rate: number;
  lastAt: number;
  /** topics with messages in this subtree, this one included */
  topics: number;
  expanded: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true });

function node(name: string, path: string, parent: TreeNode | null): TreeNode {
  const depth = parent ? parent.depth + 1 : -1;
  return {
    name, path, depth, parent, children: new Map(), order: null, stat: null, declared: null,
    total: 0, rate: 0, lastAt: 0, topics: 0, expanded: depth < 0,
  };
}

export class TopicTree {
  readonly root = node('', '', null);
  readonly byPath = new Map<string, TreeNode>();
  /** a node was added or expanded/collapsed: the flattened rows are stale */
  structureChanged = true;

  /** The node of a topic, creating the levels on the way. */
  ensure(topic: string): TreeNode {
    const known = this.byPath.get(topic);
    if (known) return known;
    let at = this.root;
    let path = '';
    for (const level of topic.split('/')) {
      path = at === this.root ? level : `${path}/${level}`;
      let next = at.children.get(level);
      if (!next) {
        next = node(level, path, at);
        // short trees open by default; a wide level stays closed until asked
        next.expanded = next.depth === 0;
        at.children.set(level, next);
        at.order = null;
        this.byPath.set(path, next);
        this.structureChanged = true;
      }
      at = next;
    }
    return at;
  }

  apply(stat: TopicStat): TreeNode {
    const target = this.ensure(stat.topic);
    const old = target.stat;
    const dCount = stat.count - (old?.count ?? 0);
    const dRate = stat.rate - (old?.rate ?? 0);
    target.stat = stat;
    for (let n: TreeNode | null = target; n; n = n.parent) {
      n.total += dCount;
      n.rate += dRate;
      if (stat.lastAt > n.lastAt) n.lastAt = stat.lastAt;
      if (!old) n.topics += 1;
    }
    return target;
  }

  /** Depth-first over expanded nodes: the rows a virtual list shows. */
  flatten(): TreeNode[] {
    const rows: TreeNode[] = [];
    const walk = (n: TreeNode) => {
      for (const child of sorted(n)) {
        rows.push(child);
        if (child.expanded && child.children.size) walk(child);
      }
    };
    walk(this.root);
    this.structureChanged = false;
    return rows;
  }

  /** Names one level below `path` ('' = top level). */
  childNames(path: string): TreeNode[] {
    const at = path ? this.byPath.get(path) : this.root;
    return at ? sorted(at) : [];
  }
}

function sorted(n: TreeNode): TreeNode[] {
  if (!n.order) n.order = [...n.children.values()].sort((a, b) => collator.compare(a.name, b.name));
  return n.order;
}
