/**
 * A real serial port (serialport) behind the DuplexPort interface the Improv client uses.
 * DTR/RTS are set deliberately after open, by board (line-policy.ts), so an ESP32's auto-reset circuit neither
 * resets the board nor holds it in the bootloader; ptys refuse that ioctl, which is fine. Open errors become PairingErrors
 * that say what to do. Every port opened here is tracked until it is closed, so leaks are visible.
 */
import fs from 'node:fs';
import { realpath } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import { vidPidOf } from './discovery.js';
import type { DuplexPort } from './improv-client.js';
import { PairingError } from './errors.js';
import { linePolicyFor } from './line-policy.js';
import { loadSerialPort } from './serialport-lib.js';

export interface OpenSerialOptions {
  baudRate?: number;
  /** DTR and RTS after open; default: by the board's VID:PID (line-policy.ts) */
  dtr?: boolean;
  rts?: boolean;
  /** wait after open before talking, for boards that reset on open anyway (Arduino AVR); default: by VID:PID */
  bootDelayMs?: number;
  /** who holds the port while it is open ("the pairing wizard", "the serial console"): named to the next one asking */
  owner?: string;
}

export interface SerialDuplex extends DuplexPort {
  readonly path: string;
  readonly isOpen: boolean;
  /** sets DTR and/or RTS (a pty has no modem lines: accepted and ignored) */
  setLines(lines: { dtr?: boolean; rts?: boolean }): Promise<void>;
}

/** The ports this process has open, by path, and who holds each: one owner at a time. */
const open = new Map<string, string>();

/** How often an open port checks that its device node still exists. */
const PRESENCE_CHECK_MS = 1000;

/** Paths of the ports this process has open right now. */
export function openPortPaths(): string[] {
  return [...open.keys()];
}

/** Who in this process holds a port (also given by a /dev/serial/by-id link); undefined when free. */
export async function portOwner(path: string): Promise<string | undefined> {
  const real = await realpath(path).catch(() => path);
  for (const [held, owner] of open) {
    if (held === path || held === real || (await realpath(held).catch(() => held)) === real) return owner;
  }
  return undefined;
}

/** The USB VID:PID behind a path (also a /dev/serial/by-id link); undefined for ptys or when listing fails. */
async function vidPidOfPath(path: string): Promise<string | undefined> {
  try {
    const real = await realpath(path).catch(() => path);
    const info = (await (await loadSerialPort()).list()).find((p) => p.path === path || p.path === real);
    return info ? vidPidOf(info) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Opens a port with the modem lines and boot wait its board needs (line-policy.ts, by VID:PID); options
 * given explicitly win.
 */
export async function openSerialPort(path: string, given: OpenSerialOptions = {}): Promise<SerialDuplex> {
  const release = await reservePort(path, given.owner ?? 'another part of Apiary');
  try {
    return await openReserved(path, given);
  } catch (err) {
    release();
    throw err;
  }
}

/**
 * One owner at a time, and a refusal that names the holder (the OS lock would blame "another program"). Reserved
 * at once, so a second caller is refused by name; also for an owner that opens the port by its own means (the
 * firmware flasher). Returns the release.
 */
export async function reservePort(path: string, owner: string): Promise<() => void> {
  const holder = await portOwner(path);
  if (holder !== undefined) {
    throw new PairingError('port-busy', `${path} is in use by ${holder} in Apiary: close it there first, then try again`);
  }
  open.set(path, owner);
  return () => {
    if (open.get(path) === owner) open.delete(path);
  };
}

async function openReserved(path: string, given: OpenSerialOptions): Promise<SerialDuplex> {
  const needsPolicy = given.dtr === undefined || given.rts === undefined || given.bootDelayMs === undefined;
  const policy = needsPolicy ? linePolicyFor(await vidPidOfPath(path)) : undefined;
  const opts: OpenSerialOptions = {
    ...given,
    dtr: given.dtr ?? policy!.dtr,
    rts: given.rts ?? policy!.rts,
    bootDelayMs: given.bootDelayMs ?? policy!.bootDelayMs,
  };
  const SerialPortClass = await loadSerialPort();
  const port = new SerialPortClass({
    path,
    baudRate: opts.baudRate ?? 115200,
    autoOpen: false,
    // keep DTR where we set it on close, so closing does not reset the board either
    hupcl: false,
  });
  await new Promise<void>((resolve, reject) => {
    port.open((err) => (err ? reject(describeOpenError(path, err)) : resolve()));
  });
  let closed = false;
  const closeCbs: ((err?: Error) => void)[] = [];
  const markClosed = (err?: Error) => {
    if (closed) return;
    closed = true;
    clearInterval(presence);
    open.delete(path);
    for (const cb of closeCbs) cb(err);
  };
  // The driver reports an unplug as a close/error, but not always (a pty whose other end is killed while a
  // write is pending, some USB drivers): the device node vanishing says the same, so look for it too.
  const presence = setInterval(() => {
    if (fs.existsSync(path)) return;
    markClosed(new Error(`${path} disappeared (disconnected)`));
    if (port.isOpen) port.close(() => undefined);
  }, PRESENCE_CHECK_MS);
  presence.unref();
  // "disconnected" arrives as a close event carrying an error; plain errors after open mean the same
  port.on('close', (err?: Error) => markClosed(err ?? undefined));
  port.on('error', (err: Error) => {
    markClosed(err);
    if (port.isOpen) port.close(() => undefined);
  });

  try {
    await setLines(port, { dtr: opts.dtr ?? false, rts: opts.rts ?? false });
  } catch (err) {
    await closePort(port);
    markClosed();
    throw err;
  }
  if (opts.bootDelayMs) await new Promise((r) => setTimeout(r, opts.bootDelayMs));

  return {
    path,
    get isOpen() {
      return !closed;
    },
    write(buf) {
      if (closed) return Promise.reject(new PairingError('disconnected', `${path} is closed (unplugged?)`));
      return new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(buf), (err) => {
          if (err) return reject(describeWriteError(path, err));
          port.drain((e) => (e ? reject(describeWriteError(path, e)) : resolve()));
        });
      });
    },
    onData(cb) {
      port.on('data', (chunk: Buffer) => cb(chunk));
    },
    onClose(cb) {
      closeCbs.push(cb);
    },
    setLines(lines) {
      if (closed) return Promise.reject(new PairingError('disconnected', `${path} is closed (unplugged?)`));
      return setLines(port, lines);
    },
    async close() {
      await closePort(port);
      markClosed();
    },
  };
}

/** Sets DTR/RTS; a pty (or a driver without modem lines) answers "Inappropriate ioctl", which we ignore. */
function setLines(port: SerialPort, lines: { dtr?: boolean; rts?: boolean }): Promise<void> {
  return new Promise((resolve, reject) => {
    port.set(lines, (err) => {
      if (!err || /inappropriate ioctl|ENOTTY|not supported/i.test(err.message)) return resolve();
      reject(new PairingError('port-failed', `cannot set DTR/RTS on ${port.path}: ${err.message}`));
    });
  });
}

/** Closes and waits; never throws and never waits more than a few seconds (a vanished device may hang). */
function closePort(port: SerialPort): Promise<void> {
  if (!port.isOpen) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    port.close(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A device that vanished shows up as EIO/ENXIO on write, or as "port is not open" once closed. */
export function describeWriteError(path: string, err: Error): PairingError {
  if (/input\/output error|EIO|ENXIO|ENODEV|no such device|not open|disconnected/i.test(err.message)) {
    return new PairingError('disconnected', `${path} disappeared (unplugged?)`);
  }
  return new PairingError('port-failed', `cannot write to ${path}: ${err.message}`);
}

export function describeOpenError(path: string, err: Error): PairingError {
  const m = err.message;
  if (/cannot lock port|resource busy|EBUSY/i.test(m)) {
    return new PairingError(
      'port-busy',
      `${path} is open in another program (a serial monitor, screen, another Apiary?): close it and try again`,
    );
  }
  if (/EACCES|permission denied|access denied/i.test(m)) {
    const hint =
      process.platform === 'linux'
        ? 'add your user to the dialout group (sudo usermod -aG dialout $USER) and log in again'
        : 'check that no other program holds it and that the USB driver is installed';
    return new PairingError('port-permission', `permission denied on ${path}: ${hint}`);
  }
  if (/ENOENT|no such file|cannot find|file not found/i.test(m)) {
    const driver = process.platform === 'linux' ? '' : ' (macOS and Windows may need the CP210x or CH34x driver)';
    return new PairingError('port-missing', `${path} does not exist: is the board plugged in?${driver}`);
  }
  return new PairingError('port-failed', `cannot open ${path}: ${m}`);
}
