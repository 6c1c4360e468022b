/**
 * Flash an ESP board over its serial ROM loader with Espressif's esptool-js: reset into download mode, detect
 * the chip, load the flasher stub, optional erase, write (compressed) with progress, verify each part by the
 * MD5 the board computes over what it wrote, reset into the app. esptool-js talks to a Web Serial port; ours
 * is NodeWebSerialPort (web-serial-port.ts).
 * We verify ourselves rather than through writeFlash's calculateMD5Hash so a mismatch is our FlashError with
 * step 'verify', and because without the stub the ROM answers MD5 as 32 hex characters, which esptool-js
 * 0.7 hex-encodes a second time.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IEspLoaderTerminal } from 'esptool-js';
import { PairingError } from '../pairing/errors.js';
import { FlashError, type FlashStep } from './errors.js';
import { partsForChip, type Firmware, type FirmwarePart } from './firmware.js';
import { NodeWebSerialPort } from './web-serial-port.js';

export const ROM_BAUD = 115200;

export type FlashProgress =
  { step: FlashStep; status: 'start' | 'done'; detail?: string } | { step: 'write'; status: 'progress'; percent: number };

export interface FlashOptions {
  portPath: string;
  firmware: Firmware;
  /** erase the whole flash first (needs the flasher stub, which every chip esptool-js knows has) */
  erase?: boolean;
  /** the baud rate to write at once connected (the ROM starts at 115200) */
  baudRate?: number;
  /** 'no_reset': the board is already in download mode (BOOT held), do not pulse DTR/RTS */
  before?: 'default_reset' | 'no_reset';
  onProgress?: (p: FlashProgress) => void;
  /** the port's USB ids, when known: esptool-js picks the reset for Espressif's native USB by them */
  usb?: { vendorId?: number; productId?: number };
}

export interface FlashedPart {
  file: string;
  offset: number;
  size: number;
  md5: string;
}

export interface FlashResult {
  chip: string;
  parts: FlashedPart[];
  bytes: number;
  /** the last lines esptool-js logged, for a report or a failure */
  log: string[];
}

const LOG_LINES = 50;

/** The image as esptool-js writes it: padded with 0xFF to a multiple of four bytes. */
function padded(data: Uint8Array): Uint8Array {
  const rest = data.length % 4;
  if (rest === 0) return data;
  const out = new Uint8Array(data.length + 4 - rest).fill(0xff);
  out.set(data);
  return out;
}

/** Stub MD5: 16 bytes, hex-encoded by esptool-js. ROM MD5: 32 hex characters, which it hex-encodes again. */
function normalizeMd5(reported: string): string {
  if (/^[0-9a-f]{64}$/i.test(reported)) {
    const inner = Buffer.from(reported, 'hex').toString('latin1');
    if (/^[0-9a-f]{32}$/i.test(inner)) return inner.toLowerCase();
  }
  return reported.toLowerCase();
}

export async function flashFirmware(options: FlashOptions): Promise<FlashResult> {
  const { portPath, firmware } = options;
  const emit = options.onProgress ?? (() => undefined);
  const log: string[] = [];
  const keep = (line: string) => {
    const text = line.trim();
    if (!text) return;
    log.push(text);
    if (log.length > LOG_LINES) log.shift();
  };
  const terminal: IEspLoaderTerminal = { clean: () => undefined, writeLine: keep, write: keep };
  const device = new NodeWebSerialPort(portPath, {
    ...(options.usb?.vendorId !== undefined ? { usbVendorId: options.usb.vendorId } : {}),
    ...(options.usb?.productId !== undefined ? { usbProductId: options.usb.productId } : {}),
  });
  // esptool-js is loaded when a board is flashed, not with the app (startup time)
  const { ESPLoader, Transport } = await import('esptool-js');
  const transport = new Transport(device as unknown as ConstructorParameters<typeof Transport>[0], false);
  // esptool-js traces some events with console.log even with tracing off: keep them in our bounded log instead
  transport.trace = keep;
  const baudRate = options.baudRate ?? ROM_BAUD;
  const loader = new ESPLoader({ transport, baudrate: baudRate, romBaudrate: ROM_BAUD, terminal });

  /** A failure of esptool-js, in words: the device vanishing wins over whatever timeout it caused. */
  const fail = (step: FlashStep, e: unknown): FlashError => {
    if (e instanceof FlashError) return e;
    const message = e instanceof Error ? e.message : String(e);
    if (device.lost || !existsSync(portPath)) {
      return new FlashError(step, `${portPath} disappeared during ${step} (unplugged?): plug the board back in and flash again`);
    }
    if (/Failed to connect/i.test(message)) {
      return new FlashError(
        'connect',
        `no ESP ROM loader answered on ${portPath}: hold BOOT (IO0) while pressing RESET (EN) to enter download mode, then try again`,
      );
    }
    return new FlashError(step, `${step} failed: ${message.split('\n')[0]}`);
  };

  let step: FlashStep = 'connect';
  // an unplug ends the flash at once, rather than after esptool-js's retries time out
  let abortLost: (e: Error) => void = () => undefined;
  const lost = new Promise<never>((_, reject) => (abortLost = reject));
  lost.catch(() => undefined);
  device.onLost(() => abortLost(fail(step, new Error('lost'))));
  const waitFor = <T>(work: Promise<T>): Promise<T> => Promise.race([work, lost]);
  try {
    emit({ step, status: 'start', detail: portPath });
    try {
      await loader.detectChip(options.before ?? 'default_reset');
    } catch (e) {
      // open errors already say what to do (busy, permission, missing)
      if (e instanceof PairingError) throw new FlashError('connect', e.message);
      throw e;
    }
    emit({ step, status: 'done' });
    step = 'chip';
    const chip = loader.chip.CHIP_NAME;
    const parts: FirmwarePart[] = partsForChip(firmware, chip);
    await waitFor(loader.runStub());
    if (baudRate !== ROM_BAUD) await waitFor(loader.changeBaud());
    emit({ step, status: 'done', detail: chip });

    if (options.erase) {
      step = 'erase';
      emit({ step, status: 'start' });
      if (!loader.IS_STUB) throw new FlashError('erase', `erasing needs the flasher stub, which esptool-js has not for ${chip}`);
      await waitFor(loader.eraseFlash());
      emit({ step, status: 'done' });
    }

    step = 'write';
    emit({ step, status: 'start', detail: parts.map((p) => `0x${p.offset.toString(16)}`).join(', ') });
    const sizes = parts.map((p) => p.data.length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const before = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    await waitFor(
      loader.writeFlash({
        fileArray: parts.map((p) => ({ data: p.data, address: p.offset })),
        flashMode: 'keep',
        flashFreq: 'keep',
        flashSize: 'keep',
        eraseAll: false,
        compress: true,
        reportProgress: (i, written, of) => {
          const done = before[i]! + (of > 0 ? (sizes[i]! * written) / of : 0);
          emit({ step: 'write', status: 'progress', percent: Math.min(100, Math.floor((100 * done) / total)) });
        },
      }),
    );
    emit({ step, status: 'done' });

    step = 'verify';
    emit({ step, status: 'start' });
    const flashed: FlashedPart[] = [];
    for (const part of parts) {
      const image = padded(part.data);
      const expected = createHash('md5').update(image).digest('hex');
      const got = normalizeMd5(await waitFor(loader.flashMd5sum(part.offset, image.length)));
      if (got !== expected) {
        throw new FlashError(
          'verify',
          `verification failed at 0x${part.offset.toString(16)}: the board reads back MD5 ${got}, ${part.file} has ${expected}` +
            ' — flash again (a loose cable or too high --baud?); do not boot this image',
        );
      }
      flashed.push({ file: part.file, offset: part.offset, size: part.data.length, md5: expected });
    }
    emit({ step, status: 'done' });

    step = 'reset';
    emit({ step, status: 'start' });
    await waitFor(loader.after('hard_reset'));
    emit({ step, status: 'done' });
    return { chip, parts: flashed, bytes: total, log: [...log] };
  } catch (e) {
    throw fail(step, e);
  } finally {
    // bounded: a vanished device must not hold the command (esptool-js waits for its streams to unlock)
    const released = transport.disconnect().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([released, new Promise((r) => (timer = setTimeout(r, 3000)))]);
    clearTimeout(timer);
    await device.close();
  }
}
