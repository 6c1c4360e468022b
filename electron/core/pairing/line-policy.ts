/**
 * How to hold a board's modem lines (DTR/RTS) and how long to let it boot, by its USB VID:PID.
 *
 * Linux raises DTR and RTS when a port opens; what that does depends on what sits behind the port:
 * - USB-UART bridges on ESP32/ESP8266 boards (CP210x, CH34x, FTDI) drive EN and GPIO0 through the
 *   two-transistor auto-reset circuit. Both lines low = "run": no reset, no bootloader. A board that still
 *   glitches EN while the port opens reboots in ~0.3 s, well inside the Improv detect's retries.
 * - Espressif's USB-Serial/JTAG (303a:1001) resets on RTS and enters download mode when RTS drops while
 *   DTR is high; dropping both at once (one ioctl) leaves it running.
 * - Native USB CDC stacks (TinyUSB on ESP32-S2 303a:0002, Arduino Leonardo 2341:8036) treat DTR as
 *   "a terminal is open": with DTR low, `Serial` may drop everything it writes. DTR high, RTS low.
 * - Arduino boards behind an ATmega16U2 (Uno, Mega) reset on open whatever we do (a capacitor on DTR);
 *   the bootloader then waits ~1 s before starting the sketch, so the handshake must wait too.
 * Unknown devices get the bridge treatment: it never resets an ESP, and the Improv detect retries anyway.
 */
import type { OpenSerialOptions } from './serial-port.js';

export type LinePolicy = Required<Pick<OpenSerialOptions, 'dtr' | 'rts' | 'bootDelayMs'>>;

const BRIDGE: LinePolicy = { dtr: false, rts: false, bootDelayMs: 0 };
const USB_SERIAL_JTAG: LinePolicy = { dtr: false, rts: false, bootDelayMs: 0 };
const NATIVE_CDC: LinePolicy = { dtr: true, rts: false, bootDelayMs: 0 };
const RESETS_ON_OPEN: LinePolicy = { dtr: false, rts: false, bootDelayMs: 1800 };

const BY_VID_PID: Readonly<Record<string, LinePolicy>> = {
  '303a:1001': USB_SERIAL_JTAG,
  '303a:0002': NATIVE_CDC,
  '2341:8036': NATIVE_CDC,
  '2341:0043': RESETS_ON_OPEN,
  '2341:0010': RESETS_ON_OPEN,
  '2341:0042': RESETS_ON_OPEN,
};

/** `vidPid` as discovery reports it ("10c4:ea60"); undefined for ptys and ports the OS could not name. */
export function linePolicyFor(vidPid: string | undefined): LinePolicy {
  if (!vidPid) return BRIDGE;
  const known = BY_VID_PID[vidPid.toLowerCase()];
  if (known) return known;
  // other Espressif native-USB products (ESP32-S2/S3 running TinyUSB CDC) behave like CDC stacks
  if (vidPid.toLowerCase().startsWith('303a:')) return NATIVE_CDC;
  return BRIDGE;
}
