/**
 * Global keys: Ctrl/⌘-K palette, / filter (the log's, or the topic search in the explorer), space pause,
 * Alt+1…5 tabs, Alt+P the composer. Keys typed into a field stay in the field (except the palette shortcut).
 */
export interface KeyActions {
  palette: () => void;
  filter: () => void;
  /** open or close the composer (a drawer outside Explorer and Log) */
  composer?: () => void;
  /** returns true when it handled the key */
  pause: () => boolean;
  tab: (index: number) => void;
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function keyHandler(actions: KeyActions): (e: KeyboardEvent) => void {
  return (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      actions.palette();
      return;
    }
    if (typing(e.target) || e.ctrlKey || e.metaKey) return;
    if (e.altKey && /^[1-5]$/.test(e.key)) {
      e.preventDefault();
      actions.tab(Number(e.key) - 1);
    } else if (e.altKey && (e.code === 'KeyP' || e.key.toLowerCase() === 'p') && actions.composer) {
      // e.code: on a Mac, Alt+P types π
      e.preventDefault();
      actions.composer();
    } else if (e.key === '/' && !e.altKey) {
      e.preventDefault();
      actions.filter();
    } else if (e.key === ' ' && !e.altKey) {
      // space on a button presses it; elsewhere it pauses the log
      if ((e.target as HTMLElement | null)?.tagName === 'BUTTON') return;
      if (actions.pause()) e.preventDefault();
    }
  };
}

export interface Command {
  id: string;
  label: string;
  /** the shortcut, shown on the right */
  hint?: string;
  /** what kind of thing it acts on (Profile, Topic, Theme), shown before the label */
  group?: string;
  /** a second, quieter line of context */
  detail?: string;
  run: () => void;
}
