/**
 * The layout preferences as reactive state: read once from localStorage, written back when a pane
 * was resized or a choice made (not on every pointer move). The theme is applied to <html> at once:
 * app.css picks its colours from `color-scheme`, which data-theme pins to light or dark.
 */
import { LAYOUT_KEY, readLayout, type Layout, type Theme } from './layout';

function stored(): string | null {
  try {
    return localStorage.getItem(LAYOUT_KEY);
  } catch {
    return null; // storage disabled: defaults, not remembered
  }
}

export const layout: Layout = $state(readLayout(stored()));

export function saveLayout(): void {
  try {
    localStorage.setItem(LAYOUT_KEY, JSON.stringify(layout));
  } catch {
    // storage full or disabled: the layout still applies to this window
  }
}

export function applyTheme(): void {
  const root = document.documentElement;
  if (layout.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = layout.theme;
}

export function setTheme(theme: Theme): void {
  layout.theme = theme;
  applyTheme();
  saveLayout();
}

applyTheme();
