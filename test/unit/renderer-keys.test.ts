import { describe, expect, it } from 'vitest';
import { keyHandler, type KeyActions } from '../../renderer/src/lib/keys.js';

/** The handler reads only these fields, so a plain object stands in for a browser KeyboardEvent. */
interface FakeKey {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  target?: { tagName: string; isContentEditable?: boolean } | null;
}

function setup(pauseHandles = true) {
  const calls: string[] = [];
  const actions: KeyActions = {
    palette: () => calls.push('palette'),
    filter: () => calls.push('filter'),
    pause: () => {
      calls.push('pause');
      return pauseHandles;
    },
    tab: (i) => calls.push(`tab${i}`),
    composer: () => calls.push('composer'),
  };
  const handle = keyHandler(actions);
  const press = (k: FakeKey) => {
    let prevented = false;
    const event = {
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      target: { tagName: 'DIV', isContentEditable: false },
      ...k,
      preventDefault: () => (prevented = true),
    };
    handle(event as unknown as KeyboardEvent);
    return prevented;
  };
  return { calls, press };
}

const INPUT = { tagName: 'INPUT', isContentEditable: false };

describe('global keys', () => {
  it('Ctrl-K and ⌘-K open the palette, even from a text field', () => {
    const { calls, press } = setup();
    expect(press({ key: 'k', ctrlKey: true })).toBe(true);
    expect(press({ key: 'K', metaKey: true, target: INPUT })).toBe(true);
    expect(calls).toEqual(['palette', 'palette']);
  });

  it('/ focuses the filter, space pauses, Alt+1…5 switch tabs', () => {
    const { calls, press } = setup();
    expect(press({ key: '/' })).toBe(true);
    expect(press({ key: ' ' })).toBe(true);
    expect(press({ key: '1', altKey: true })).toBe(true);
    expect(press({ key: '5', altKey: true })).toBe(true);
    expect(calls).toEqual(['filter', 'pause', 'tab0', 'tab4']);
  });

  it('Alt+6, Alt+0 and a bare digit do nothing', () => {
    const { calls, press } = setup();
    expect(press({ key: '6', altKey: true })).toBe(false);
    expect(press({ key: '0', altKey: true })).toBe(false);
    expect(press({ key: '1' })).toBe(false);
    expect(calls).toEqual([]);
  });

  it('keys typed into a field stay in the field', () => {
    const { calls, press } = setup();
    for (const target of [INPUT, { tagName: 'TEXTAREA' }, { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
      expect(press({ key: '/', target })).toBe(false);
      expect(press({ key: ' ', target })).toBe(false);
      expect(press({ key: '2', altKey: true, target })).toBe(false);
    }
    expect(calls).toEqual([]);
  });

  it('space on a button presses the button instead of pausing', () => {
    const { calls, press } = setup();
    expect(press({ key: ' ', target: { tagName: 'BUTTON' } })).toBe(false);
    expect(calls).toEqual([]);
  });

  it('space scrolls as usual when nothing is paused', () => {
    const { calls, press } = setup(false);
    expect(press({ key: ' ' })).toBe(false);
    expect(calls).toEqual(['pause']);
  });

  it('browser shortcuts with Ctrl or ⌘ are left alone', () => {
    const { calls, press } = setup();
    expect(press({ key: '/', ctrlKey: true })).toBe(false);
    expect(press({ key: '1', altKey: true, metaKey: true })).toBe(false);
    expect(calls).toEqual([]);
  });

  it('works with no target (window-level event)', () => {
    const { calls, press } = setup();
    expect(press({ key: '/', target: null })).toBe(true);
    expect(calls).toEqual(['filter']);
  });

  it('Alt+P opens or closes the composer, also where Alt+P types another letter (π on a Mac), not from a field', () => {
    const { calls, press } = setup();
    expect(press({ key: 'p', code: 'KeyP', altKey: true })).toBe(true);
    expect(press({ key: 'π', code: 'KeyP', altKey: true })).toBe(true);
    expect(press({ key: 'p', code: 'KeyP' })).toBe(false);
    expect(press({ key: 'p', code: 'KeyP', altKey: true, target: { tagName: 'TEXTAREA' } })).toBe(false);
    expect(calls).toEqual(['composer', 'composer']);
  });
});
