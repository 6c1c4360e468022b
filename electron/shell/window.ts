/** The main window as data and small decisions, so tests check them without the Electron binary. */
import path from 'node:path';
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import type { AppSettings } from '../api.js';
import { secureWebPreferences } from './security.js';

export function mainWindowOptions(packageRoot: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 560,
    title: 'Apiary',
    show: false, // shown on ready-to-show: no white flash
    icon: path.join(packageRoot, 'resources', 'icon.png'),
    webPreferences: secureWebPreferences(path.join(packageRoot, 'dist', 'preload', 'preload.js')),
  };
}

/** Brings the window to the front: restored when minimized, shown when hidden (tray), focused. */
export function revealWindow(win: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/** Closing the window hides it to the tray, unless the app is quitting or the setting says otherwise. */
export function closesToTray(quitting: boolean, settings: Pick<AppSettings, 'closeToTray'> | null): boolean {
  return !quitting && settings?.closeToTray !== false;
}
