/**
 * The Electron security checklist as data, so a test can assert it without the Electron binary.
 * main.ts applies exactly these values.
 */
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
export const ELECTRON_CSP = APP_CSP;

/** IPC channel names shared by main.ts and preload.ts. */
export const IPC_CALL = 'apiary:call';
export const IPC_EVENT = 'apiary:event';
