/**
 * A recording stand-in of the `electron` module: exactly the members main.ts and shell/* use, each doing the
 * least that lets the shell run, and recording what a user would see (windows, tray, notifications). It tests
 * wiring, not Electron. The parent test drives it over the child-process IPC channel: {cmd, id, ...} → {id, reply}.
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const windows = [];
const notifications = [];
const handlers = new Map();
const trayState = { images: [], tooltip: '', menu: [], created: 0 };
let quitting = false;

function menuLabels(template) {
  return template.filter((i) => i.label).map((i) => ({ label: i.label, enabled: i.enabled !== false, submenu: i.submenu ? menuLabels(i.submenu) : undefined }));
}

class App extends EventEmitter {
  isPackaged = false;
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  getPath(name) {
    if (name === 'userData') return process.env.APIARY_STANDIN_USERDATA;
    return process.env.HOME ?? '/tmp';
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings() {}
  quit() {
    if (!quitting) {
      quitting = true;
      this.emit('before-quit', { preventDefault() {} });
    }
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      report({ event: 'quit' });
      setImmediate(() => process.exit(0));
    }
  }
  exit(code) {
    report({ event: 'exit', code });
    setImmediate(() => process.exit(code));
  }
}
export const app = new App();

class WebContents extends EventEmitter {
  sent = [];
  loading = true;
  windowOpenHandler = null;
  send(channel, ...args) {
    this.sent.push({ channel, args });
  }
  isLoading() {
    return this.loading;
  }
  setWindowOpenHandler(handler) {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.visible = false;
    this.destroyed = false;
    this.loadedFile = null;
    this.webContents = new WebContents();
    windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  async loadFile(file) {
    this.loadedFile = file;
    this.webContents.loading = false;
    this.webContents.emit('did-finish-load');
    this.emit('ready-to-show');
  }
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
  }
  focus() {}
  isMinimized() {
    return false;
  }
  restore() {}
  isVisible() {
    return this.visible;
  }
  isDestroyed() {
    return this.destroyed;
  }
  /** what a click on the window's close button does */
  close() {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    if (!prevented) {
      this.destroyed = true;
      this.visible = false;
      this.emit('closed');
    }
  }
}

export class Tray extends EventEmitter {
  constructor(image) {
    super();
    trayState.created++;
    trayState.images.push(image.path);
    trayState.instance = this;
  }
  setImage(image) {
    trayState.images.push(image.path);
  }
  setToolTip(text) {
    trayState.tooltip = text;
  }
  setContextMenu(menu) {
    trayState.menu = menu.items;
  }
  destroy() {}
}

export const Menu = { buildFromTemplate: (template) => ({ items: template }) };
export const nativeImage = { createFromPath: (path) => ({ path }) };
export const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false });

export class Notification extends EventEmitter {
  static isSupported() {
    return true;
  }
  constructor(options) {
    super();
    this.options = options;
    this.shown = false;
    notifications.push(this);
  }
  show() {
    this.shown = true;
  }
}

export const ipcMain = {
  handle(channel, handler) {
    handlers.set(channel, handler);
  },
};

const sessionState = { csp: null, permission: null };
export const session = {
  defaultSession: {
    setPermissionRequestHandler(handler) {
      handler(null, 'notifications', (granted) => (sessionState.permission = granted));
    },
    setPermissionCheckHandler() {},
    webRequest: {
      onHeadersReceived(listener) {
        listener({ responseHeaders: {} }, (r) => (sessionState.csp = r.responseHeaders['Content-Security-Policy']?.[0] ?? null));
      },
    },
  },
};
export const shell = { openExternal: async () => {} };
const clipboardState = { text: '' };
export const clipboard = { writeText: (text) => (clipboardState.text = text) };

export default { app, BrowserWindow, Tray, Menu, nativeImage, nativeTheme, Notification, ipcMain, session, shell, clipboard };

function report(message) {
  process.send?.(message);
}

function snapshot() {
  return {
    windows: windows.map((w) => ({
      options: w.options,
      loadedFile: w.loadedFile,
      visible: w.visible,
      destroyed: w.destroyed,
      sent: w.webContents.sent.filter((s) => s.args[0] !== 'tray.model' && s.args[0] === 'ui.open'),
      guarded: typeof w.webContents.windowOpenHandler === 'function' && w.webContents.listenerCount('will-navigate') > 0,
    })),
    tray: { created: trayState.created, image: trayState.images.at(-1), tooltip: trayState.tooltip, menu: menuLabels(trayState.menu) },
    notifications: notifications.map((n) => ({ title: n.options.title, body: n.options.body, shown: n.shown })),
    ipcChannels: [...handlers.keys()],
    session: sessionState,
  };
}

process.on('message', async (m) => {
  const reply = (value) => process.send({ id: m.id, reply: value });
  try {
    if (m.cmd === 'snapshot') return reply(snapshot());
    if (m.cmd === 'invoke') {
      const handler = handlers.get(m.channel);
      const event = { senderFrame: { url: m.senderUrl ?? pathToFileURL(windows[0]?.loadedFile ?? '/').href } };
      return reply(await handler(event, m.method, m.params));
    }
    if (m.cmd === 'click-notification') {
      notifications[m.index].emit('click');
      return reply(snapshot());
    }
    if (m.cmd === 'click-tray-item') {
      const item = trayState.menu.find((i) => i.label === m.label);
      item.click();
      return reply(true);
    }
    if (m.cmd === 'close-window') {
      windows[m.index].close();
      return reply(snapshot());
    }
    if (m.cmd === 'quit') {
      reply(true);
      app.quit();
    }
  } catch (err) {
    reply({ standInError: String(err?.stack ?? err) });
  }
});
