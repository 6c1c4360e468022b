/**
 * The desk's layout preferences, kept in this browser's localStorage (per window origin; Electron keeps its
 * own): pane sizes, whether the composer stays open where publishing happens, the theme. Pure: what was
 * stored is read back checked and clamped, so a hand-edited or stale entry can never hide a pane.
 */
export type Theme = 'system' | 'light' | 'dark';
export const THEMES: { id: Theme; label: string }[] = [
  { id: 'system', label: 'Follow the system' },
  { id: 'light', label: 'Light' },
  { id: 'dark', label: 'Dark' },
];

export interface Layout {
  /** width of the left column (connections and topic tree), px; null = by the window's width (autoSidebar) */
  sidebar: number | null;
  /** height of the connections list above the tree, px; null = as tall as its rows, at most half the column */
  connections: number | null;
  /** width of the composer, px */
  composer: number;
  /** the composer is open on Explorer and Log (elsewhere it is a drawer, closed until asked for) */
  composerPinned: boolean;
  theme: Theme;
}

export type Pane = 'sidebar' | 'connections' | 'composer';

/** smallest and largest size of each pane, px; a window too small for the largest clamps it further */
export const PANE_LIMITS: Record<Pane, { min: number; max: number }> = {
  sidebar: { min: 220, max: 720 },
  connections: { min: 64, max: 1600 },
  composer: { min: 260, max: 720 },
};

export const DEFAULT_LAYOUT: Layout = { sidebar: null, connections: null, composer: 300, composerPinned: true, theme: 'system' };

export const LAYOUT_KEY = 'apiary.layout';

export function clampPane(pane: Pane, px: number, room = Infinity): number {
  const { min, max } = PANE_LIMITS[pane];
  return Math.round(Math.max(min, Math.min(max, room, px)));
}

/** The sidebar until the user sizes it: a fifth of a wide window (tree values get room), 300 px at least. */
export function autoSidebar(windowWidth: number): number {
  return clampPane('sidebar', Math.min(400, Math.max(300, windowWidth * 0.21)));
}

function size(pane: Pane, value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? clampPane(pane, value) : fallback;
}

/** What was stored, checked field by field: anything unreadable falls back to its default. */
export function readLayout(stored: string | null): Layout {
  let raw: Record<string, unknown> = {};
  try {
    const parsed: unknown = stored ? JSON.parse(stored) : {};
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) raw = parsed as Record<string, unknown>;
  } catch {
    // a corrupt entry: defaults
  }
  const d = DEFAULT_LAYOUT;
  return {
    sidebar: raw.sidebar === null || raw.sidebar === undefined ? null : size('sidebar', raw.sidebar, 0) || null,
    connections:
      raw.connections === null || raw.connections === undefined ? null : size('connections', raw.connections, 0) || null,
    composer: size('composer', raw.composer, d.composer),
    composerPinned: typeof raw.composerPinned === 'boolean' ? raw.composerPinned : d.composerPinned,
    theme: THEMES.some((t) => t.id === raw.theme) ? (raw.theme as Theme) : d.theme,
  };
}
