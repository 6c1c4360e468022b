/**
 * Ports a shell provides to the core. The core never imports a shell; a shell builds a Platform and
 * hands it to createCore(). Electron gives keytar + Notification + Tray; the headless host gives keytar (or
 * memory) and forwards notifications and the tray model to the page.
 */
export interface SecretStore {
  /** 'locked' and 'unavailable' are detected, never guessed from a null read. */
  status(): Promise<'ok' | 'locked' | 'unavailable'>;
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

export interface Clock {
  now(): number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Platform {
  shell: 'electron' | 'host';
  /** where profiles.json, apiary.db and the sandbox data live */
  dataDir: string;
  /** resources/ (icons, certs, firmware) */
  resourcesDir: string;
  secrets: SecretStore;
  clock: Clock;
  log: Logger;
  /** Electron: the main process copies a token without it ever reaching the renderer */
  clipboard?: { writeText(text: string): void };
}

export const systemClock: Clock = { now: () => Date.now() };

/** A logger for the shells: one line per event on stderr, never a secret (callers pass redacted text). */
export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`[apiary] ${m}\n`),
  warn: (m) => process.stderr.write(`[apiary] warning: ${m}\n`),
  error: (m) => process.stderr.write(`[apiary] error: ${m}\n`),
};
