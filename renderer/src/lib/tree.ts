/**
 * The topic tree as plain objects (not reactive): stats land here at any rate, aggregates roll up
 * along the path (O(depth) per topic), and the view flattens only expanded nodes, once per frame.
 */
import type { TopicStat } from '../../../electron/api';

export interface TreeNode {
  name: string;
  /** the topic of this level, e.g. demo/temperature */
  path: string;
  /** the path lower-cased, for searching */
  key: string;
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
    name, path, key: path.toLowerCase(), depth, parent, children: new Map(), order: null, stat: null, declared: null,
    total: 0, rate: 0, lastAt: 0, topics: 0, expanded: depth < 0,
  };
}

export class TopicTree {
  readonly root = node('', '', null);
  readonly byPath = new Map<string, TreeNode>();
  /** a node was added or expanded/collapsed: the flattened rows are stale */
  structureChanged = true;
  /** the words of the topic search over this tree ([] = none): flatten() shows only what matches */
  private terms: string[] = [];
  /** rows matching the search themselves, as of the last flatten() */
  matches = 0;

  /** Sets the topic search; the next flatten() applies it. */
  search(query: string): void {
    const terms = searchTerms(query);
    if (terms.join(' ') === this.terms.join(' ')) return;
    this.terms = terms;
    this.structureChanged = true;
  }

  get searching(): boolean {
    return this.terms.length > 0;
  }

  /** only topics the broker holds a retained message for (and their levels): the retained-only view */
  private retainedOnly = false;

  setRetainedOnly(on: boolean): void {
    if (on === this.retainedOnly) return;
    this.retainedOnly = on;
    this.structureChanged = true;
  }

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
    if (this.retainedOnly && Boolean(old?.retained) !== Boolean(stat.retained)) this.structureChanged = true;
    for (let n: TreeNode | null = target; n; n = n.parent) {
      n.total += dCount;
      n.rate += dRate;
      if (stat.lastAt > n.lastAt) n.lastAt = stat.lastAt;
      if (!old) n.topics += 1;
    }
    return target;
  }

  /** Depth-first over expanded nodes (or over what the search matches): the rows a virtual list shows. */
  flatten(): TreeNode[] {
    if (this.retainedOnly) {
      const rows = retainedRows(this.root);
      this.matches = rows.filter((r) => r.stat?.retained).length;
      this.structureChanged = false;
      return rows;
    }
    if (this.terms.length) {
      const found = filterRows(this.root, this.terms);
      this.matches = found.matches;
      this.structureChanged = false;
      return found.rows;
    }
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

/** Retained topics and the levels above them, depth-first in tree order, every level on the way open. */
function retainedRows(root: TreeNode): TreeNode[] {
  const rows: TreeNode[] = [];
  const walk = (n: TreeNode): boolean => {
    let any = false;
    for (const child of sorted(n)) {
      const at = rows.length;
      rows.push(child);
      const below = child.children.size ? walk(child) : false;
      if (below || child.stat?.retained) any = true;
      else rows.length = at; // neither it nor anything below it is retained
    }
    return any;
  };
  walk(root);
  return rows;
}

function sorted(n: TreeNode): TreeNode[] {
  if (!n.order) n.order = [...n.children.values()].sort((a, b) => collator.compare(a.name, b.name));
  return n.order;
}

/** The words of a topic search, lower-cased; `demo/temp` stays one word (it spans levels). */
export function searchTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export interface FilteredRows {
  /** matching topics and their ancestors, depth-first in tree order, every level on the way open */
  rows: TreeNode[];
  /** how many rows match the search themselves (the others are there as their ancestors) */
  matches: number;
}

/**
 * The rows of a topic search: a topic matches when its path holds every word of the query (case
 * ignored), so `demo temp` and `demo/temp` both find demo/temperature, and everything below a matching
 * level matches too. Ancestors of a match are shown open whatever their folding. One pass over the
 * tree without allocation per node (paths are lower-cased once, when a node is made): it runs on every
 * keystroke.
 */
export function filterRows(root: TreeNode, terms: readonly string[]): FilteredRows {
  const rows: TreeNode[] = [];
  let matches = 0;
  const hit = (key: string) => {
    for (const t of terms) if (!key.includes(t)) return false;
    return true;
  };
  // below a match every path holds the match's path, so everything matches without testing
  const all = (n: TreeNode) => {
    for (const child of sorted(n)) {
      rows.push(child);
      matches++;
      if (child.children.size) all(child);
    }
  };
  const walk = (n: TreeNode): boolean => {
    let any = false;
    for (const child of sorted(n)) {
      const mark = rows.length;
      rows.push(child);
      if (hit(child.key)) {
        matches++;
        if (child.children.size) all(child);
        any = true;
      } else if (child.children.size && walk(child)) any = true;
      else rows.length = mark;
    }
    return any;
  };
  if (terms.length) walk(root);
  return { rows, matches };
}

/** Where the search words (and their levels, for `demo/temp`) occur in one level's name: for highlighting. */
export function nameHits(name: string, terms: readonly string[]): number[] {
  const lower = name.toLowerCase();
  const hits = new Set<number>();
  for (const term of terms) {
    for (const piece of term.split('/')) {
      if (!piece) continue;
      for (let at = lower.indexOf(piece); at >= 0; at = lower.indexOf(piece, at + 1)) {
        for (let k = 0; k < piece.length; k++) hits.add(at + k);
      }
    }
  }
  return [...hits].sort((a, b) => a - b);
}
