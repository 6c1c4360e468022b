import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions, NotificationConstructorOptions } from 'electron';
import { computeTrayModel, type FiredAlert } from '../../electron/core/alerts/index.js';
import { contentSecurityPolicy } from '../../electron/host.js';
import {
  autostartExecutable,
  autostartFile,
  desktopEntry,
  execLine,
  HIDDEN_ARG,
  launchedHidden,
  loginItemSettings,
  syncLinuxAutostart,
} from '../../electron/shell/login-item.js';
import { MAX_LIVE_NOTIFICATIONS, Notifier, type NotificationLike } from '../../electron/shell/notifications.js';
import {
  APP_CSP,
  guardContents,
  isTrustedSender,
  secureSession,
  secureWebPreferences,
  type GuardedContents,
  type SecuredSession,
} from '../../electron/shell/security.js';
import { trayIconFile, trayMenuTemplate, type TrayActions } from '../../electron/shell/tray-menu.js';
import { closesToTray, mainWindowOptions, revealWindow } from '../../electron/shell/window.js';

// These modules import only electron *types*: they load in plain Node, without the Electron binary.

describe('the Electron security checklist, as main.ts applies it', () => {
  it('isolates and sandboxes the renderer, with no Node integration', () => {
    const prefs = secureWebPreferences('/x/preload.js');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    const options = mainWindowOptions('/app');
    expect(options.webPreferences).toEqual(secureWebPreferences(path.join('/app', 'dist', 'preload', 'preload.js')));
    expect(options.show).toBe(false);
  });

  it('denies every permission and puts the CSP on every response', () => {
    let request: ((...args: unknown[]) => void) | null = null;
    let check: ((...args: unknown[]) => boolean) | null = null;
    let headers: ((...args: unknown[]) => void) | null = null;
    const fake = {
      setPermissionRequestHandler: (h: unknown) => void (request = h as typeof request),
      setPermissionCheckHandler: (h: unknown) => void (check = h as typeof check),
      webRequest: { onHeadersReceived: (...args: unknown[]) => void (headers = args.at(-1) as typeof headers) },
    };
    secureSession(fake as unknown as SecuredSession);
    for (const permission of ['media', 'notifications', 'clipboard-read', 'serial', 'openExternal']) {
      const granted = vi.fn();
      request!({}, permission, granted, {});
      expect(granted).toHaveBeenCalledExactlyOnceWith(false);
      expect(check!(null, permission, 'file://', {})).toBe(false);
    }
    const replies: unknown[] = [];
    headers!({ responseHeaders: { 'content-security-policy': ["script-src *"], 'X-Other': ['1'] } }, (r: unknown) => replies.push(r));
    headers!({}, (r: unknown) => replies.push(r));
    expect(replies).toEqual([
      { responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [APP_CSP] } },
      { responseHeaders: { 'Content-Security-Policy': [APP_CSP] } },
    ]);
  });

  it('never navigates, attaches a webview or opens a window; https links go to the system browser', () => {
    const listeners = new Map<string, (event: { preventDefault(): void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | null = null;
    const fake = {
      on: (event: string, listener: (event: { preventDefault(): void }) => void) => listeners.set(event, listener),
      setWindowOpenHandler: (h: typeof openHandler) => void (openHandler = h),
    };
    const opened: string[] = [];
    guardContents(fake as unknown as GuardedContents, (url) => opened.push(url));
    for (const name of ['will-navigate', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      listeners.get(name)!(event);
      expect(event.preventDefault, name).toHaveBeenCalledOnce();
    }
    const urls = [
      'https://beebotte.com/docs',
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      // a provisioned board's own page: plain http on the local network
      'http://192.168.4.1/',
      'http://apiary-esp32.local/settings',
      'http://10.0.0.7:8080/',
      // not a local device: a public address, a name that only looks local, credentials in the URL
      'http://8.8.8.8/',
      'http://192.168.1.1.evil.example/',
      'http://user:pw@192.168.4.1/',
    ];
    for (const url of urls) expect(openHandler!({ url })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://beebotte.com/docs', 'http://192.168.4.1/', 'http://apiary-esp32.local/settings', 'http://10.0.0.7:8080/']);
  });

  it('answers IPC only from its own page', () => {
    const index = path.resolve('/app/renderer/dist/index.html');
    expect(isTrustedSender(pathToFileURL(index).href, index)).toBe(true);
    expect(isTrustedSender(pathToFileURL(path.resolve('/app/renderer/dist/other.html')).href, index)).toBe(false);
    for (const url of [undefined, '', 'http://127.0.0.1/index.html', 'file://remote-host/app/renderer/dist/index.html', 'devtools://x']) {
      expect(isTrustedSender(url, index), String(url)).toBe(false);
    }
  });

  it('main.ts wires exactly these', () => {
    const main = fs.readFileSync('electron/main.ts', 'utf8');
    expect(main).toContain('new BrowserWindow(mainWindowOptions(packageRoot))');
    expect(main).toContain('secureSession(session.defaultSession)');
    expect(main).toMatch(/web-contents-created', \(_e, contents\) => guardContents\(contents,/);
    expect(main).toMatch(/if \(!isTrustedSender\(event\.senderFrame\?\.url, indexFile\)\) return \{ ok: false/);
    expect(main).not.toMatch(/new Notification\(/); // only through Notifier, which keeps them referenced
  });

  it('allows only its own scripts: no inline, no eval, no remote origins', () => {
    for (const csp of [APP_CSP, contentSecurityPolicy()]) {
      const script = csp.split('; ').find((d) => d.startsWith('script-src'));
      expect(script).toBe("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-eval|https?:|\*/);
    }
    const html = fs.readFileSync('renderer/index.html', 'utf8');
    expect(html).toContain("script-src 'self'");
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
  });

  it('exposes only window.apiary from preload', () => {
    const preload = fs.readFileSync('electron/preload.ts', 'utf8');
    expect(preload.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(preload).toContain("exposeInMainWorld('apiary', bridge)");
  });
});

describe('the window', () => {
  const fakeWindow = (minimized: boolean) => {
    const calls: string[] = [];
    return {
      calls,
      win: {
        isMinimized: () => minimized,
        restore: () => void calls.push('restore'),
        show: () => void calls.push('show'),
        focus: () => void calls.push('focus'),
      },
    };
  };

  it('a second launch or a tray click restores a minimized window and brings it to the front', () => {
    const minimized = fakeWindow(true);
    revealWindow(minimized.win);
    expect(minimized.calls).toEqual(['restore', 'show', 'focus']);
    const hidden = fakeWindow(false);
    revealWindow(hidden.win);
    expect(hidden.calls).toEqual(['show', 'focus']);
  });

  it('closing hides to the tray unless quitting or the setting is off', () => {
    expect(closesToTray(false, null)).toBe(true);
    expect(closesToTray(false, { closeToTray: true })).toBe(true);
    expect(closesToTray(false, { closeToTray: false })).toBe(false);
    expect(closesToTray(true, { closeToTray: true })).toBe(false);
  });
});

describe('notifications stay referenced until the user is done with them', () => {
  class FakeNotification extends EventEmitter implements NotificationLike {
    static supported = true;
    static made: FakeNotification[] = [];
    static isSupported() {
      return FakeNotification.supported;
    }
    shown = false;
    constructor(readonly options: NotificationConstructorOptions) {
      super();
      FakeNotification.made.push(this);
    }
    show() {
      this.shown = true;
    }
  }
  const alert: FiredAlert = { id: 'a1', ruleId: 'r', ruleName: 'Hot', profileId: 'p', topic: 'home/t', messageId: 3, title: 'Hot', body: '31', at: 0 };
  afterEach(() => {
    FakeNotification.made = [];
    FakeNotification.supported = true;
  });

  it('holds each shown notification until click, close or failure; a click reaches its handler', () => {
    const notifier = new Notifier(FakeNotification);
    const clicked: string[] = [];
    notifier.showAlert(alert, (a) => clicked.push(a.id));
    notifier.showNotice('ESP32 connected — pair it?', '/dev/ttyUSB0', () => clicked.push('notice'));
    notifier.showNotice('third', '', () => clicked.push('third'));
    const [first, second, third] = FakeNotification.made;
    expect(FakeNotification.made.every((n) => n.shown)).toBe(true);
    expect(first!.options).toMatchObject({ title: 'Hot', body: '31' });
    expect(notifier.liveCount).toBe(3);
    first!.emit('click');
    expect(clicked).toEqual(['a1']);
    expect(notifier.liveCount).toBe(2);
    second!.emit('close');
    third!.emit('failed', 'no daemon');
    expect(notifier.liveCount).toBe(0);
    expect(clicked).toEqual(['a1']);
  });

  it('is bounded, and shows nothing where notifications are unsupported', () => {
    const notifier = new Notifier(FakeNotification);
    for (let i = 0; i < MAX_LIVE_NOTIFICATIONS + 20; i++) notifier.showNotice(`n${i}`, '', () => {});
    expect(notifier.liveCount).toBe(MAX_LIVE_NOTIFICATIONS);
    FakeNotification.supported = false;
    FakeNotification.made = [];
    notifier.showAlert(alert, () => {});
    expect(FakeNotification.made).toEqual([]);
  });
});

describe('launch at login', () => {
  const home = path.resolve('/home/me');

  it('asks for --hidden, and a launch with it (or a macOS login launch) starts in the tray', () => {
    expect(loginItemSettings(true)).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(loginItemSettings(false)).toEqual({ openAtLogin: false, args: [HIDDEN_ARG] });
    expect(launchedHidden(['/opt/Apiary/apiary', '--hidden'])).toBe(true);
    expect(launchedHidden(['/opt/Apiary/apiary'])).toBe(false);
    expect(launchedHidden(['/Applications/Apiary.app/Contents/MacOS/Apiary'], true)).toBe(true);
  });

  it('Linux: the XDG autostart file, and the AppImage rather than its mount', () => {
    expect(autostartFile({ env: {}, home })).toBe(path.join(home, '.config', 'autostart', 'apiary.desktop'));
    expect(autostartFile({ env: { XDG_CONFIG_HOME: '' }, home })).toBe(path.join(home, '.config', 'autostart', 'apiary.desktop'));
    expect(autostartFile({ env: { XDG_CONFIG_HOME: 'relative/cfg' }, home })).toBe(path.join(home, '.config', 'autostart', 'apiary.desktop'));
    const xdg = path.resolve('/cfg');
    expect(autostartFile({ env: { XDG_CONFIG_HOME: xdg }, home })).toBe(path.join(xdg, 'autostart', 'apiary.desktop'));
    expect(autostartExecutable({ env: { APPIMAGE: '/home/me/Apps/Apiary.AppImage' }, execPath: '/tmp/.mount_Apiary/apiary' })).toBe(
      '/home/me/Apps/Apiary.AppImage',
    );
    expect(autostartExecutable({ env: { APPIMAGE: '' }, execPath: '/opt/Apiary/apiary' })).toBe('/opt/Apiary/apiary');
  });

  it('Linux: a desktop entry whose Exec survives spaces, $, %, quotes and backslashes', () => {
    expect(desktopEntry('/opt/Apiary/apiary')).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Version=1.0',
        'Name=Apiary',
        'Comment=Watch MQTT devices from the tray',
        'Exec=/opt/Apiary/apiary --hidden',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
    expect(execLine(['/home/me/My Apps/Apiary 100%.AppImage', '--hidden'])).toBe('"/home/me/My Apps/Apiary 100%%.AppImage" --hidden');
    // quoting escapes " ` $ \ with a backslash; the string escape then doubles every backslash (spec: \\\\ is one \)
    expect(execLine(['/a$b\\c"d`e'])).toBe('"/a\\\\$b\\\\\\\\c\\\\"d\\\\`e"');
    expect(() => execLine(['/a\nb'])).toThrow(/control characters/);
  });

  it('Linux: writes the entry once, rewrites it when the AppImage moved, removes it when turned off', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-autostart-'));
    try {
      const ctx = { env: { XDG_CONFIG_HOME: dir, APPIMAGE: '/home/me/Apiary.AppImage' }, home, execPath: '/tmp/.mount/apiary' };
      const file = path.join(dir, 'autostart', 'apiary.desktop');
      expect(syncLinuxAutostart(false, ctx)).toBe('unchanged');
      expect(syncLinuxAutostart(true, ctx)).toBe('written');
      expect(fs.readFileSync(file, 'utf8')).toContain('\nExec=/home/me/Apiary.AppImage --hidden\n');
      expect(syncLinuxAutostart(true, ctx)).toBe('unchanged');
      expect(syncLinuxAutostart(true, { ...ctx, env: { ...ctx.env, APPIMAGE: '/home/me/Apps/Apiary.AppImage' } })).toBe('written');
      expect(fs.readFileSync(file, 'utf8')).toContain('\nExec=/home/me/Apps/Apiary.AppImage --hidden\n');
      expect(syncLinuxAutostart(false, ctx)).toBe('removed');
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.readdirSync(path.join(dir, 'autostart'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the tray menu is drawn from the core model', () => {
  const calls: string[] = [];
  const actions: TrayActions = {
    open: () => calls.push('open'),
    openAlert: (a) => calls.push(`alert:${a.id}`),
    toggleProfile: (id, action) => calls.push(`${action}:${id}`),
    quickPublish: (id) => calls.push(`publish:${id}`),
    pause: (kind) => calls.push(`pause:${kind}`),
    quit: () => calls.push('quit'),
  };
  const now = Date.UTC(2026, 10, 25, 12);
  const model = computeTrayModel({
    sessions: [
      { profileId: 'a', status: 'connected', since: now, outbox: 0 },
      { profileId: 'b', status: 'failed', since: now, outbox: 0, error: 'credential rejected' },
    ],
    profiles: [
      { id: 'a', name: 'Home' },
      { id: 'b', name: 'Cloud' },
    ],
    unread: 2,
    recentAlerts: [{ id: 'x1', ruleId: 'r', ruleName: 'Hot', profileId: 'a', topic: 'home/temp', title: 'Hot', body: '31', at: now, messageId: 7 }],
    pausedUntil: null,
    now,
    templates: [{ id: 't1', name: 'Lights on', topic: 'home/lights' }],
  });
  const menu = trayMenuTemplate(model, actions);
  const find = (items: MenuItemConstructorOptions[], label: RegExp): MenuItemConstructorOptions => {
    const item = items.find((i) => i.enabled !== false && label.test(String(i.label ?? '')));
    if (!item) throw new Error(`no menu item ${label}: ${items.map((i) => i.label).join(', ')}`);
    return item;
  };
  const click = (item: MenuItemConstructorOptions) => (item.click as unknown as () => void)();

  it('shows the failed state icon and offers the right action per profile', () => {
    expect(model.overall).toBe('failed');
    expect(trayIconFile(model, true)).toBe('tray-failed-dark.png');
    expect(fs.existsSync(`resources/tray/${trayIconFile(model, false)}`)).toBe(true);
    click((find(menu, /Home/).submenu as MenuItemConstructorOptions[])[0]!);
    click((find(menu, /Cloud/).submenu as MenuItemConstructorOptions[])[0]!);
    expect(calls).toEqual(['disconnect:a', 'connect:b']);
  });

  it('lists recent alerts with the unread count, quick publish and pause', () => {
    const alerts = find(menu, /Recent alerts \(2 unread\)/);
    click((alerts.submenu as MenuItemConstructorOptions[])[0]!);
    click((find(menu, /Quick publish/).submenu as MenuItemConstructorOptions[])[0]!);
    click((find(menu, /Pause notifications/).submenu as MenuItemConstructorOptions[])[0]!);
    click(find(menu, /Quit/));
    expect(calls.slice(2)).toEqual(['alert:x1', 'publish:t1', 'pause:1h', 'quit']);
  });
});
