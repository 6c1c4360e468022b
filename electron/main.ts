/**
 * The Electron shell: window, tray, notifications, keychain wiring. Thin on purpose — every feature
 * lives in core/ and is tested without Electron. The only module (with preload.ts) importing 'electron'.
 */
import path from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, session, shell, Tray, type IpcMainInvokeEvent } from 'electron';
import { ApiError } from './api.js';
import { createCore, type Core } from './core/core.js';
import { stderrLogger, systemClock } from './core/platform.js';
import { KeytarSecretStore } from './core/vault/index.js';
import { packageRoot, rendererDir } from './node-platform.js';
import { ELECTRON_CSP, IPC_CALL, IPC_EVENT, secureWebPreferences } from './shell/security.js';

let core: Core | null = null;
let win: BrowserWindow | null = null;
let tray: Tray | null = null;
let quitting = false;

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
    if (!quitting) {
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
  return url.startsWith('file://') && decodeURIComponent(new URL(url).pathname) === indexFile;
}

function showWindow(): void {
  if (!win) win = createWindow();
  win.show();
  win.focus();
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
  });

  ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown) => {
    if (!trustedSender(event)) return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } };
    try {
      return { ok: true, result: await core!.call(method, params) };
    } catch (err) {
      const error = err instanceof ApiError ? err.toJSON() : { code: 'failed', message: String(err) };
      return { ok: false, error };
    }
  });
  core.bus.subscribe((event, data) => {
    if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, event, data);
  });

  tray = new Tray(nativeImage.createFromPath(path.join(packageRoot, 'resources', 'tray', 'tray-idle.png')));
  tray.setToolTip('Apiary');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Apiary', click: showWindow },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() },
    ]),
  );
  tray.on('click', showWindow);

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
