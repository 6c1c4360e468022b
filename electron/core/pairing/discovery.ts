/**
 * Serial port discovery: list ports, name known USB bridges and boards by VID:PID (a hint only — the
 * Improv handshake confirms), and poll for plug/unplug. The lister is injectable because
 * SerialPort.list() needs udevadm on Linux and never lists ptys; a path typed by hand is always allowed.
 */
import { readdir } from 'node:fs/promises';
import { loadSerialPort } from './serialport-lib.js';

/** What a lister reports; the shape of SerialPort.list() entries. */
export interface RawPortInfo {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
}

export type PortLister = () => Promise<RawPortInfo[]>;

export interface DiscoveredPort {
  path: string;
  /** "10c4:ea60", lower-case hex, when the OS told us */
  vidPid?: string;
  /** "ESP32 (CP2102)" for known bridges and boards */
  board?: string;
  manufacturer?: string;
  serialNumber?: string;
}

export interface PortListing {
  ports: DiscoveredPort[];
  /** set when the OS lister failed and we fell back (e.g. udevadm missing) */
  warning?: string;
}

/** From /work/shared/PAIRING.md. */
export const KNOWN_BOARDS: Readonly<Record<string, string>> = {
  '10c4:ea60': 'ESP32 (CP2102)',
  '1a86:7523': 'ESP32/ESP8266 (CH340)',
  '1a86:5523': 'ESP32/ESP8266 (CH341)',
  '1a86:55d4': 'ESP32 (CH9102)',
  '0403:6001': 'FTDI FT232R',
  '0403:6015': 'FTDI FT-X',
  '303a:1001': 'ESP32-S3/C3/C6 (native USB)',
  '303a:0002': 'ESP32-S2 (native USB)',
  '2341:0043': 'Arduino Uno',
  '2341:0010': 'Arduino Mega',
  '2341:0042': 'Arduino Mega',
  '2341:8036': 'Arduino Leonardo',
};

export function vidPidOf(info: RawPortInfo): string | undefined {
  const vid = info.vendorId?.toLowerCase().replace(/^0x/, '');
  const pid = info.productId?.toLowerCase().replace(/^0x/, '');
  if (!vid || !pid) return undefined;
  return `${vid.padStart(4, '0')}:${pid.padStart(4, '0')}`;
}

export function identify(info: RawPortInfo): DiscoveredPort {
  const port: DiscoveredPort = { path: info.path };
  const vidPid = vidPidOf(info);
  if (vidPid) port.vidPid = vidPid;
  const board = vidPid ? KNOWN_BOARDS[vidPid] : undefined;
  if (board) port.board = board;
  if (info.manufacturer) port.manufacturer = info.manufacturer;
  if (info.serialNumber) port.serialNumber = info.serialNumber;
  return port;
}

/** A friendly label for lists and notifications: "ESP32 (CP2102) on /dev/ttyUSB0". */
export function describePort(port: DiscoveredPort): string {
  const what = port.board ?? port.manufacturer ?? (port.vidPid ? `USB device ${port.vidPid}` : 'serial port');
  return `${what} on ${port.path}`;
}

export const defaultLister: PortLister = async () => (await loadSerialPort()).list();

/** Where USB serial devices appear on Linux when udev is not there to tell us. */
async function devFallback(): Promise<RawPortInfo[]> {
  try {
    const names = await readdir('/dev');
    return names.filter((n) => /^tty(USB|ACM)\d+$/.test(n)).map((n) => ({ path: `/dev/${n}` }));
  } catch {
    return [];
  }
}

/** Lists ports; known boards first. Never throws: a failing lister becomes a warning and a /dev scan. */
export async function listPorts(lister: PortLister = defaultLister): Promise<PortListing> {
  let raw: RawPortInfo[];
  let warning: string | undefined;
  try {
    raw = await lister();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    warning = /udevadm|ENOENT/i.test(message)
      ? 'cannot list USB details (udevadm is missing): showing /dev/ttyUSB* and /dev/ttyACM* without board names'
      : `cannot list serial ports (${message}): showing /dev/ttyUSB* and /dev/ttyACM*`;
    raw = process.platform === 'linux' ? await devFallback() : [];
  }
  const ports = raw.filter((p) => typeof p?.path === 'string' && p.path.length > 0).map(identify);
  ports.sort((a, b) => Number(!a.board) - Number(!b.board) || a.path.localeCompare(b.path));
  return warning ? { ports, warning } : { ports };
}

export type PortEvent = { kind: 'added'; port: DiscoveredPort } | { kind: 'removed'; port: DiscoveredPort };

export interface WatchOptions {
  lister?: PortLister;
  intervalMs?: number;
  /**
   * A cheap fingerprint of the ports present; the lister runs only when it changes (and once at start).
   * Default with the default lister on Linux: the serial device names in /dev (devSignature) — SerialPort.list()
   * there runs `udevadm info -e` and parses the whole udev database, which every 2 s cost a tray app idling
   * with nothing plugged ~8 ms of CPU a second plus the child process. null: always run the lister.
   */
  signature?: (() => Promise<string>) | null;
  onEvent: (event: PortEvent) => void;
  /** report the ports present at start as "added" too (default false: only plug/unplug) */
  emitInitial?: boolean;
  onWarning?: (warning: string) => void;
}

export interface PortWatcher {
  stop(): void;
  /** poll now (tests, or a "refresh" button); resolves when the poll is done (the lister runs if the signature changed) */
  poll(): Promise<void>;
}

/** The device nodes SerialPort.list() reports on Linux (its own test), sorted: changes when a port comes or goes. */
export async function devSignature(): Promise<string> {
  const names = await readdir('/dev');
  return names
    .filter((n) => /^(tty(S|WCH|ACM|USB|AMA|MFD|O|XRUSB)|rfcomm)/.test(n))
    .sort()
    .join(' ');
}

/** Polls the lister; reports ports that appear or vanish. Polls never overlap; the timer never holds the process open. */
export function watchPorts(opts: WatchOptions): PortWatcher {
  const lister = opts.lister ?? defaultLister;
  const signature =
    opts.signature !== undefined ? opts.signature : !opts.lister && process.platform === 'linux' ? devSignature : null;
  let listedAt: string | null = null; // the signature when the lister last ran
  let known: Map<string, DiscoveredPort> | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let lastWarning: string | undefined;

  const pollOnce = async () => {
    if (signature) {
      const now = await signature().catch(() => null); // unreadable: list as before
      if (known && now !== null && now === listedAt) return;
      listedAt = now;
    }
    const listing = await listPorts(lister);
    if (stopped) return;
    if (listing.warning && listing.warning !== lastWarning) opts.onWarning?.(listing.warning);
    lastWarning = listing.warning;
    const now = new Map(listing.ports.map((p) => [p.path, p]));
    const before = known;
    known = now;
    if (!before) {
      if (opts.emitInitial) for (const port of now.values()) opts.onEvent({ kind: 'added', port });
      return;
    }
    for (const [path, port] of now) if (!before.has(path)) opts.onEvent({ kind: 'added', port });
    for (const [path, port] of before) if (!now.has(path)) opts.onEvent({ kind: 'removed', port });
  };
  const poll = () => {
    running ??= pollOnce()
      .catch(() => undefined)
      .finally(() => {
        running = null;
      });
    return running;
  };

  const timer = setInterval(() => void poll(), opts.intervalMs ?? 1000);
  timer.unref();
  void poll();
  return {
    stop() {
      stopped = true;
      clearInterval(timer);
    },
    poll,
  };
}
