import { describe, expect, it } from 'vitest';
import { DEFAULT_LAYOUT, PANE_LIMITS, autoSidebar, clampPane, readLayout } from '../../renderer/src/lib/layout.js';

describe('stored layout preferences', () => {
  it('nothing stored, or something unreadable, gives the defaults', () => {
    expect(readLayout(null)).toEqual(DEFAULT_LAYOUT);
    expect(readLayout('{not json')).toEqual(DEFAULT_LAYOUT);
    expect(readLayout('[1,2]')).toEqual(DEFAULT_LAYOUT);
    expect(readLayout('"dark"')).toEqual(DEFAULT_LAYOUT);
  });

  it('reads back what was saved', () => {
    const saved = { sidebar: 420, connections: 180, composer: 380, composerPinned: false, theme: 'dark' };
    expect(readLayout(JSON.stringify(saved))).toEqual(saved);
  });

  it('a size out of range is clamped, so no pane can be hidden or take the window', () => {
    const layout = readLayout(JSON.stringify({ sidebar: 5, composer: 99_999, connections: -40 }));
    expect(layout.sidebar).toBe(PANE_LIMITS.sidebar.min);
    expect(layout.composer).toBe(PANE_LIMITS.composer.max);
    expect(layout.connections).toBe(PANE_LIMITS.connections.min);
  });

  it('a wrong type falls back field by field', () => {
    const layout = readLayout(
      JSON.stringify({ sidebar: '400px', connections: 'tall', composerPinned: 'yes', theme: 'purple', composer: 350 }),
    );
    expect(layout).toEqual({ ...DEFAULT_LAYOUT, composer: 350 });
  });

  it('clamps to the room the window leaves', () => {
    expect(clampPane('sidebar', 700, 500)).toBe(500);
    expect(clampPane('sidebar', 100, 500)).toBe(PANE_LIMITS.sidebar.min);
    expect(clampPane('composer', 333.4)).toBe(333);
  });

  it('the sidebar follows the window until the user sizes it', () => {
    expect(readLayout('{}').sidebar).toBeNull();
    expect(autoSidebar(1280)).toBe(300);
    expect(autoSidebar(1600)).toBe(336);
    expect(autoSidebar(1920)).toBe(400);
    expect(autoSidebar(3840)).toBe(400);
  });
});
