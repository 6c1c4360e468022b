/**
 * The Electron shell: window, tray, notifications, keychain wiring. Thin on purpose — every feature
 * lives in core/ and is tested without Electron; the shell's own decisions (window options, security
 * handlers, notifications, login item) are in shell/* and tested in plain Node. With preload.ts and
 * shell/*, the only module importing 'electron'.
 */
import path from 'node:path';
import { app, BrowserWindow, clipboard, ipcMain, Notification, session, shell } from 'electron';
import type { AppSettings, EventPayloads, ProfileDTO, Template, TrayModel } from './api.js';
import { serveContract } from './contract-server.js';
import { createCore, type Core } from './core/core.js';
import { stderrLogger, systemClock } from './core/platform.js';
import { KeytarSecretStore } from './core/vault/index.js';
import { packageRoot, rendererDir } from './node-platform.js';
import { launchedHidden, loginItemSettings, syncLinuxAutostart } from './shell/login-item.js';
import { Notifier } from './shell/notifications.js';
import { guardContents, IPC_CALL, IPC_EVENT, isTrustedSender, secureSession } from './shell/security.js';
import { AppTray } from './shell/tray.js';
import { closesToTray, mainWindowOptions, revealWindow } from './shell/window.js';

let core: Core | null = null;
let win: BrowserWindow | null = null;
let tray: AppTray | null = null;
let quitting = false;
let settings: AppSettings | null = null;
/** set when boot is done: before that a window would find no IPC handler */
let booted = false;
/** a second launch (or a dock click) that came during boot: show the window once booted */
let showWhenBooted = false;

const indexFile = path.join(rendererDir, 'index.html');
const notifier = new Notifier(Notification);

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(packageRoot));
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    if (closesToTray(quitting, settings)) {
      event.preventDefault(); // keep watching from the tray
      window.hide();
    }
  });
  void window.loadFile(indexFile);
  return window;
}

function showWindow(): void {
  if (!booted) {
    showWhenBooted = true;
    return;
  }
  if (!win || win.isDestroyed()) win = createWindow(); // shown on ready-to-show
  else revealWindow(win);
}

/** Shell → UI: open a message or topic (tray alert, notification click). */
function openInWindow(target: EventPayloads['ui.open']): void {
  showWindow();
  const send = () => win?.webContents.send(IPC_EVENT, 'ui.open', target);
  if (win?.webContents.isLoading()) win.webContents.once('did-finish-load', send);
  else send();
}

function applyLoginItem(enabled: boolean): void {
  if (!app.isPackaged) return;
  try {
    if (process.platform === 'linux') {
      syncLinuxAutostart(enabled, { env: process.env, home: app.getPath('home'), execPath: process.execPath });
    } else app.setLoginItemSettings(loginItemSettings(enabled));
  } catch (err) {
    stderrLogger.warn(`launch at login not ${enabled ? 'set' : 'removed'}: ${(err as Error).message}`);
  }
}

function applyShellSettings(next: AppSettings): void {
  settings = next;
  applyLoginItem(next.launchAtLogin);
}

async function boot(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  // a second launch focuses this one; a login launch (--hidden) of a second instance changes nothing
  app.on('second-instance', (_event, argv) => {
    if (!launchedHidden(argv)) showWindow();
  });
  await app.whenReady();
  const hidden = launchedHidden(process.argv, process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin);

  secureSession(session.defaultSession);
  app.on('web-contents-created', (_e, contents) => guardContents(contents, (url) => void shell.openExternal(url)));

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

  // the window's end of the contract; webContents.send has no backlog to read, so batches are never held back
  const contract = serveContract(c, {
    send: (event, data) => {
      if (win && !win.isDestroyed()) win.webContents.send(IPC_EVENT, event, data);
    },
  });
  ipcMain.handle(IPC_CALL, async (event, method: unknown, params: unknown) => {
    if (!isTrustedSender(event.senderFrame?.url, indexFile)) return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } };
    return contract.call(method, params);
  });
  const call = (method: string, params: unknown) =>
    c.call(method, params).catch((err: Error) => stderrLogger.warn(`${method}: ${err.message}`));
  // the tray's quick publish, through the contract like every other caller
  const quickPublish = async (templateId: string) => {
    const t = ((await c.call('templates.list', {})) as Template[]).find((x) => x.id === templateId);
    const profileId = t?.profileId ?? ((await c.call('profiles.list', {})) as ProfileDTO[])[0]?.id;
    if (t && profileId) await call('messages.publish', { profileId, topic: t.topic, data: t.data, write: t.write, ispublic: t.ispublic, qos: t.qos });
  };

  tray = new AppTray(path.join(packageRoot, 'resources'), {
    open: showWindow,
    openAlert: (a) => openInWindow({ ...(a.messageId ? { messageId: a.messageId } : {}), profileId: a.profileId, topic: a.topic }),
    toggleProfile: (profileId, action) => void call(action === 'connect' ? 'sessions.connect' : 'sessions.disconnect', { profileId }),
    quickPublish: (templateId) => void quickPublish(templateId),
    pause: (kind) => void call('tray.pause', { kind }),
    quit: () => app.quit(),
  });

  c.bus.subscribe((event, data) => {
    if (event === 'tray.model') tray?.render(data as EventPayloads['tray.model']);
    if (event === 'settings.changed') applyShellSettings(data as AppSettings);
    if (event === 'device.plugged' && !win?.isVisible()) {
      const port = data as EventPayloads['device.plugged'];
      notifier.showNotice(`${port.board ?? 'A serial device'} connected — pair it?`, port.path, () => openInWindow({ tab: 'devices' }));
    }
    if (event === 'alert.fired') {
      notifier.showAlert(data as EventPayloads['alert.fired'], (a) =>
        openInWindow({ ...(a.messageId ? { messageId: a.messageId } : {}), profileId: a.profileId, topic: a.topic }),
      );
    }
  });
  applyShellSettings((await c.call('settings.get', {})) as AppSettings);
  tray.render((await c.call('tray.model', {})) as TrayModel);

  booted = true;
  // a login launch starts in the tray, unless a second launch asked for the window meanwhile
  if (!hidden || showWhenBooted) showWindow();
  app.on('activate', () => showWindow()); // macOS: a click on the dock icon
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
