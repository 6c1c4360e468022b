/**
 * Launch at login. macOS and Windows: app.setLoginItemSettings. Linux (AppImage, deb), where that call
 * does nothing: an XDG autostart entry, ~/.config/autostart/apiary.desktop. A login launch starts in
 * the tray (`--hidden`). Plain Node: no Electron at runtime, so all of it is unit tested.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Settings } from 'electron';

/** The argument a login launch carries: start in the tray, without the window. */
export const HIDDEN_ARG = '--hidden';

/** For app.setLoginItemSettings (Windows passes `args`; macOS reports wasOpenedAtLogin instead). */
export function loginItemSettings(openAtLogin: boolean): Settings {
  return { openAtLogin, args: [HIDDEN_ARG] };
}

/** `openedAtLogin`: macOS's app.getLoginItemSettings().wasOpenedAtLogin (it passes no arguments). */
export function launchedHidden(argv: readonly string[], openedAtLogin = false): boolean {
  return openedAtLogin || argv.includes(HIDDEN_ARG);
}

export interface AutostartContext {
  env: Readonly<Record<string, string | undefined>>;
  /** the user's home directory */
  home: string;
  /** process.execPath */
  execPath: string;
}

/** $XDG_CONFIG_HOME/autostart/apiary.desktop; ~/.config when it is unset, empty or relative (XDG spec). */
export function autostartFile(ctx: Pick<AutostartContext, 'env' | 'home'>): string {
  const configHome = ctx.env.XDG_CONFIG_HOME;
  const base = configHome && path.isAbsolute(configHome) ? configHome : path.join(ctx.home, '.config');
  return path.join(base, 'autostart', 'apiary.desktop');
}

/** An AppImage runs from a temporary mount: start the image ($APPIMAGE), not the binary inside it. */
export function autostartExecutable(ctx: Pick<AutostartContext, 'env' | 'execPath'>): string {
  return ctx.env.APPIMAGE || ctx.execPath;
}

export function desktopEntry(executable: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    'Name=Apiary',
    'Comment=Watch MQTT devices from the tray',
    `Exec=${execLine([executable, HIDDEN_ARG])}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * A desktop entry's Exec value: an argument with anything but safe characters is double-quoted with
 * " ` $ \ escaped; then the value's own string escape doubles every backslash, and % becomes %%.
 */
export function execLine(args: readonly string[]): string {
  return args
    .map((arg) => {
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(arg)) throw new Error(`cannot start ${JSON.stringify(arg)} at login: it has control characters`);
      const quoted = /^[\w\-./+,:@=]+$/.test(arg) ? arg : `"${arg.replace(/["`$\\]/g, '\\$&')}"`;
      return quoted.replace(/\\/g, '\\\\').replace(/%/g, '%%');
    })
    .join(' ');
}

/** Writes or removes the autostart entry; rewrites it only when it differs (an AppImage that moved). */
export function syncLinuxAutostart(enabled: boolean, ctx: AutostartContext): 'written' | 'removed' | 'unchanged' {
  const file = autostartFile(ctx);
  if (!enabled) {
    try {
      fs.unlinkSync(file);
      return 'removed';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'unchanged';
      throw err;
    }
  }
  const text = desktopEntry(autostartExecutable(ctx));
  try {
    if (fs.readFileSync(file, 'utf8') === text) return 'unchanged';
  } catch {
    // missing or unreadable: write it
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o644 });
  fs.renameSync(tmp, file);
  return 'written';
}
