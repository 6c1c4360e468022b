import { describe, expect, it } from 'vitest';
import { fuzzyMatch, highlightRuns, topMatches } from '../../renderer/src/lib/fuzzy.js';
import { MAX_RECENT, parseRecent, pushRecent } from '../../renderer/src/lib/recent.js';

const rank = (query: string, texts: string[]) =>
  texts
    .map((t) => ({ t, m: fuzzyMatch(query, t) }))
    .filter((x) => x.m)
    .sort((a, b) => b.m!.score - a.m!.score)
    .map((x) => x.t);

describe('fuzzy matching for the command palette', () => {
  it('finds letters in order across levels of a topic', () => {
    expect(fuzzyMatch('dmtmp', 'demo/temperature')).not.toBeNull();
    expect(fuzzyMatch('dmtmp', 'demo/humidity')).toBeNull();
    expect(fuzzyMatch('tmpd', 'demo/temperature')).toBeNull();
  });

  it('every word must match, in any order, ignoring case', () => {
    expect(fuzzyMatch('sandbox connect', 'Connect Sandbox (demo)')).not.toBeNull();
    expect(fuzzyMatch('CONNECT', 'Connect Sandbox (demo)')).not.toBeNull();
    expect(fuzzyMatch('connect garden', 'Connect Sandbox (demo)')).toBeNull();
  });

  it('ranks a whole word above scattered letters, a word start above the middle of a word', () => {
    expect(rank('connect sandbox', ['Disconnect Sandbox (demo)', 'Connect Sandbox (demo)'])[0]).toBe('Connect Sandbox (demo)');
    expect(rank('temp', ['demo/attempts', 'demo/temperature', 'team/pump'])).toEqual([
      'demo/temperature',
      'demo/attempts',
      'team/pump',
    ]);
    expect(rank('log', ['Go to Log', 'Filter the log', 'Toggle the blog'])[2]).toBe('Toggle the blog');
  });

  it('an empty query matches everything with no highlight', () => {
    expect(fuzzyMatch('  ', 'anything')).toEqual({ score: 0, positions: [] });
  });

  it('reports the matched characters, and cuts the text into highlighted runs', () => {
    const m = fuzzyMatch('dtemp', 'demo/temperature')!;
    expect(m.positions).toEqual([0, 5, 6, 7, 8]);
    expect(highlightRuns('demo/temperature', m.positions)).toEqual([
      { text: 'd', hit: true },
      { text: 'emo/', hit: false },
      { text: 'temp', hit: true },
      { text: 'erature', hit: false },
    ]);
  });
});

describe('the palette keeps the best matches and its recent items', () => {
  it('topMatches keeps the best N, best first, in one pass', () => {
    const topics = ['demo/temperature', 'demo/attempts', 'garden/temp', 'garage/door', 'team/pump', 'temp'];
    const best = topMatches(topics, (t) => fuzzyMatch('temp', t), 3).map((x) => x.item);
    expect(best).toEqual(['temp', 'garden/temp', 'demo/temperature']);
    expect(topMatches(topics, (t) => fuzzyMatch('zzz', t), 3)).toEqual([]);
  });

  it('recent items: newest first, each once, at most eight; a corrupt entry is no history', () => {
    let list: string[] = [];
    for (const id of ['a', 'b', 'a', 'c']) list = pushRecent(list, id);
    expect(list).toEqual(['c', 'a', 'b']);
    for (let i = 0; i < 20; i++) list = pushRecent(list, `x${i}`);
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toBe('x19');
    expect(parseRecent(JSON.stringify(['tab-log', 3, 'topic:p:demo']))).toEqual(['tab-log', 'topic:p:demo']);
    expect(parseRecent('{oops')).toEqual([]);
    expect(parseRecent('{"a":1}')).toEqual([]);
  });
});
