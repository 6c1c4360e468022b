import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { computeTrayModel } from '../../electron/core/alerts/index.js';
import { contentSecurityPolicy } from '../../electron/host.js';
import { ELECTRON_CSP, secureWebPreferences } from '../../electron/shell/security.js';
import { trayIconFile, trayMenuTemplate, type TrayActions } from '../../electron/shell/tray-menu.js';
import fs from 'node:fs';

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
    const main = fs.readFileSync('electron/main.ts', 'utf8');
    expect(main).toContain('webPreferences: secureWebPreferences(');
    expect(main).toContain("will-navigate', (event) => event.preventDefault()");
    expect(main).toContain("return { action: 'deny' }");
    expect(main).toContain('setPermissionRequestHandler((_wc, _permission, callback) => callback(false))');
    expect(main).toMatch(/if \(!trustedSender\(event\)\)/);
  });

  it('allows only its own scripts: no inline, no eval, no remote origins', () => {
    for (const csp of [ELECTRON_CSP, contentSecurityPolicy()]) {
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
