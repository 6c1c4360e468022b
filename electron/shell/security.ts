/**
 * The Electron security checklist as data and small functions, so a test can assert it without the
 * Electron binary (only electron *types* here). main.ts applies exactly these.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HeadersReceivedResponse, OnHeadersReceivedListenerDetails, Session, WebContents } from 'electron';

export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/**
 * One CSP for both shells (Electron's file:// page and the headless host): only our own scripts, no eval,
 * no remote anything. Styles may be inline: Svelte and uPlot set element styles; scripts never are.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** IPC channel names shared by main.ts and preload.ts. */
export const IPC_CALL = 'apiary:call';
export const IPC_EVENT = 'apiary:event';

/** onHeadersReceived: every response carries our CSP, replacing any other (whatever its header case). */
export function withCsp(
  details: Pick<OnHeadersReceivedListenerDetails, 'responseHeaders'>,
  callback: (response: HeadersReceivedResponse) => void,
): void {
  const responseHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
    if (name.toLowerCase() !== 'content-security-policy') responseHeaders[name] = value;
  }
  responseHeaders['Content-Security-Policy'] = [APP_CSP];
  callback({ responseHeaders });
}

/** The page asks for nothing: camera, notifications, clipboard, serial… are all refused. */
export function denyPermissionRequest(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function denyPermissionCheck(): boolean {
  return false;
}

export type SecuredSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
};

/** Session-wide: permissions denied, the CSP on every response. */
export function secureSession(session: SecuredSession): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.webRequest.onHeadersReceived(withCsp);
}

export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/**
 * Every web contents: never navigates away from our page, never attaches a <webview>, never opens a
 * window; a link the user clicks opens in the system browser when it is https:// (docs), or http:// to a
 * device on the local network (a provisioned board's own page, which Improv names: boards serve plain http).
 */
export function guardContents(contents: GuardedContents, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (opensInBrowser(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/** https://, or http:// to a private IPv4 address (10/8, 172.16/12, 192.168/16, 169.254/16) or an mDNS .local name. */
export function opensInBrowser(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:' || url.username || url.password) return false;
  const host = url.hostname;
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)*\.local$/i.test(host)) return true;
  const ip = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!ip) return false;
  const [a, b] = [Number(ip[1]), Number(ip[2])];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
}

/** Only our own page may call the core: the file:// URL of renderer/dist/index.html, nothing else. */
export function isTrustedSender(senderUrl: string | undefined, indexFile: string): boolean {
  const url = senderUrl ?? '';
  if (!url.startsWith('file://')) return false;
  try {
    return path.resolve(fileURLToPath(url)) === path.resolve(indexFile); // also right on Windows (C:\…)
  } catch {
    return false;
  }
}
