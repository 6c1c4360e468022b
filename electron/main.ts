/**
 * The Electron shell: window, tray, notifications, keychain wiring. Thin on purpose — every feature
 * lives in core/ and is tested without Electron. The only module (with preload.ts) importing 'electron'.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, ipcMain, session, shell, type IpcMainInvokeEvent } from 'electron';
import type { AppSettings, EventPayloads } from './api.js';
import { ApiError } from './api.js';
import { createCore, type Core } from './core/core.js';
import { stderrLogger, systemClock } from './core/platform.js';
import { KeytarSecretStore } from './core/vault/index.js';
import { packageRoot, rendererDir } from './node-platform.js';
import { ELECTRON_CSP, IPC_CALL, IPC_EVENT, secureWebPreferences } from './shell/security.js';
import { AppTray } from './shell/tray.js';
import { showAlert, showNotice } from './shell/notifications.js';

let core: Core | null = null;
let win: BrowserWindow | null = null;
let tray: AppTray | null = null;
let quitting = false;
let settings: AppSettings | null = null;

const indexFile = path.join(rendererDir, 'index.html');

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 560,
    title: 'Apiary',
    show: false,
    icon: path.join(packageRoot, 'resources', 'icon.png'),
    webPreferences: secureWebPreferences(path.join(packageRoot, 'dist', 'preload', 'preload.js')),
  });
  window.once('ready-to-show', () => window.show());
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    // links the user clicks (docs) open in the system browser; never a new Electron window
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.on('close', (event) => {
    if (!quitting && settings?.closeToTray !== false) {
      event.preventDefault(); // keep watching from the tray
      window.hide();
    }
  });
  void window.loadFile(indexFile);
  return window;
}

/** Only our own page may call the core. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  if (!url.startsWith('file://')) return false;
  try {
    return path.resolve(fileURLToPath(url)) === path.resolve(indexFile); // also right on Windows (C:\…)
  } catch {
    return false;
  }
}

function showWindow(): void {
  if (!win || win.isDestroyed()) win = createWindow();
  win.show();
  win.focus();
}

/** Shell → UI: open a message or topic (tray alert, notification click). */
function openInWindow(target: EventPayloads['ui.open']): void {
  showWindow();
  const send = () => win?.webContents.send(IPC_EVENT, 'ui.open', target);
  if (win?.webContents.isLoading()) win.webContents.once('did-finish-load', send);
  else send();
}

function applyShellSettings(next: AppSettings): void {
  settings = next;
  if (app.isPackaged) app.setLoginItemSettings({ openAtLogin: next.launchAtLogin });
}

async function boot(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', showWindow);
  await app.whenReady();

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [ELECTRON_CSP] } });
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  core = await createCore({
    shell: 'electron',
    dataDir: app.getPath('userData'),
    resourcesDir: path.join(packageRoot, 'resources'),
    secrets: new KeytarSecretStore(),
    clock: systemClock,
    log: stderrLogger,
    clipboard: { writeText: (text) => clipboard.writeText(text) },
  });
  const c = core;

  ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown) => {
    if (!trustedSender(event)) return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } };
    try {
      return { ok: true, result: await core!.call(method, params) };
    } catch (err) {
      const error = err instanceof ApiError ? err.toJSON() : { code: 'failed', message: String(err) };
      return { ok: false, error };
    }
  });
  const call = (method: string, params: unknown) =>
    c.call(method, params).catch((err: Error) => stderrLogger.warn(`${method}: ${err.message}`));

  tray = new AppTray(path.join(packageRoot, 'resources'), {
    open: showWindow,
    openAlert: (a) => openInWindow({ ...(a.messageId ? { messageId: a.messageId } : {}), profileId: a.profileId, topic: a.topic }),
    toggleProfile: (profileId, action) => void call(action === 'connect' ? 'sessions.connect' : 'sessions.disconnect', { profileId }),
    quickPublish: (templateId) => {
      const t = c.services.composer.templates().find((x) => x.id === templateId);
      const profileId = t?.profileId ?? c.services.profiles.list()[0]?.id;
      if (t && profileId) void call('messages.publish', { profileId, topic: t.topic, data: t.data, write: t.write, ispublic: t.ispublic, qos: t.qos });
    },
    pause: (kind) => void call('tray.pause', { kind }),
    quit: () => app.quit(),
  });

  c.bus.subscribe((event, data) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, event, data);
    if (event === 'tray.model') tray?.render(data as EventPayloads['tray.model']);
    if (event === 'settings.changed') applyShellSettings(data as AppSettings);
    if (event === 'device.plugged' && !win?.isVisible()) {
      const port = data as EventPayloads['device.plugged'];
      showNotice(`${port.board ?? 'A serial device'} connected — pair it?`, port.path, () => openInWindow({}));
    }
    if (event === 'alert.fired') {
      showAlert(data as EventPayloads['alert.fired'], (a) =>
        openInWindow({ ...(a.messageId ? { messageId: a.messageId } : {}), profileId: a.profileId, topic: a.topic }),
      );
    }
  });
  applyShellSettings((await c.call('settings.get', {})) as AppSettings);
  tray.render(c.services.alerts.trayModel());

  win = createWindow();
}

app.on('before-quit', () => {
  quitting = true;
});
app.on('will-quit', (event) => {
  if (core) {
    event.preventDefault();
    const closing = core;
    core = null;
    void closing.close().finally(() => app.quit());
  }
});
app.on('window-all-closed', () => {
  // stay in the tray
});

boot().catch((err: unknown) => {
  stderrLogger.error(`Apiary failed to start: ${err instanceof Error ? err.message : String(err)}`);
  app.exit(1);
});
