/**
 * `apiary flash`: write firmware to an ESP board over its serial ROM loader (esptool-js), before `apiary provision`.
 *   apiary flash --port PATH --firmware FILE.bin|manifest.json [--offset N] [--erase] [--baud N] [--no-reset] [--json]
 * Progress goes to stderr, one line per step and per ~10% written; with --json stdout gets one JSON line per
 * progress event and a last line with the result. Exit 0 flashed and verified, 1 a step failed, 2 bad usage.
 */
import { FlashError } from '../core/flash/errors.js';
import { loadFirmware, parseOffset, type Firmware } from '../core/flash/firmware.js';
import { flashFirmware, ROM_BAUD, type FlashOptions, type FlashProgress, type FlashResult } from '../core/flash/flasher.js';
import { parseFlags, usage } from './cli-io.js';

export interface FlashDeps {
  flash?: (options: FlashOptions) => Promise<FlashResult>;
  stdout?: { write(text: string): unknown };
  stderr?: { write(text: string): unknown };
}

const USAGE =
  'usage: apiary flash --port PATH --firmware FILE.bin|manifest.json [--offset N] [--erase] [--baud N] [--no-reset] [--json]';

const HELP = `${USAGE}

Write firmware to an ESP8266/ESP32 board over USB serial (its ROM loader, through Espressif's esptool-js):
detect the chip, optionally erase, write, verify by MD5, reset into the new firmware. Then pair it with
\`apiary provision\`.

  --port PATH         the serial port (apiary devices lists them)
  --firmware FILE     a .bin image, or an ESP Web Tools manifest (.json) whose build for the detected chip
                      is written (its parts' paths are relative to the manifest)
  --offset N          where a .bin goes (default 0x0; an app image from a full build goes at 0x10000)
  --erase             erase the whole flash first (settings and Wi-Fi stored on the board are lost)
  --baud N            write at this baud rate once connected (default ${ROM_BAUD}; 460800 or 921600 is faster
                      on most USB adapters)
  --no-reset          the board is already in download mode (BOOT held while plugging in): do not pulse DTR/RTS
  --json              one JSON line per progress event, then one with the result, on stdout
  -h, --help          this help

Exit status: 0 flashed and verified, 1 a step failed (the message names it), 2 bad usage.`;

const BAUDS = new Set([9600, 57600, 74880, 115200, 230400, 460800, 921600, 1500000, 2000000]);

interface Parsed {
  port: string;
  firmware: string;
  offset: number;
  erase: boolean;
  baud: number;
  noReset: boolean;
  json: boolean;
}

function parse(argv: string[]): Parsed {
  const values = parseFlags(argv, {
    port: { type: 'string' },
    firmware: { type: 'string' },
    offset: { type: 'string' },
    erase: { type: 'boolean', default: false },
    baud: { type: 'string' },
    'no-reset': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (!values.port) throw usage('--port is required');
  if (!values.firmware) throw usage('--firmware is required');
  if (values.offset !== undefined && values.firmware.toLowerCase().endsWith('.json')) {
    throw usage('--offset is for a .bin: a manifest gives each part its offset');
  }
  let offset = 0;
  if (values.offset !== undefined) {
    try {
      offset = parseOffset(values.offset);
    } catch (e) {
      throw usage((e as Error).message);
    }
  }
  const baud = values.baud === undefined ? ROM_BAUD : Number(values.baud);
  if (!BAUDS.has(baud)) throw usage(`--baud takes one of ${[...BAUDS].join(', ')}`);
  return {
    port: values.port,
    firmware: values.firmware,
    offset,
    erase: values.erase ?? false,
    baud,
    noReset: values['no-reset'] ?? false,
    json: values.json ?? false,
  };
}

/** Progress as lines: every step, and the write at each 10% it crosses (not every block). */
export function progressPrinter(write: (line: string) => void): (p: FlashProgress) => void {
  let lastTenth = -1;
  return (p) => {
    if (p.status === 'progress') {
      const tenth = Math.floor(p.percent / 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      write(`  writing ${tenth * 10}%`);
      return;
    }
    if (p.step === 'write' && p.status === 'start') lastTenth = -1;
    write(`${p.status === 'start' ? '→' : '✓'} ${p.step}${p.detail ? `: ${p.detail}` : ''}`);
  };
}

export async function runFlashCommand(argv: string[], deps: FlashDeps = {}): Promise<number> {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(`${HELP}\n`);
    return 0;
  }
  const json = argv.includes('--json');
  const jsonLine = (value: unknown) => {
    if (json) out.write(`${JSON.stringify(value)}\n`);
  };
  let args: Parsed;
  let firmware: Firmware;
  try {
    args = parse(argv);
  } catch (e) {
    err.write(`apiary flash: ${(e as Error).message}\n${USAGE}\n`);
    jsonLine({ ok: false, step: 'usage', error: (e as Error).message });
    return 2;
  }
  try {
    firmware = await loadFirmware(args.firmware, args.offset);
  } catch (e) {
    err.write(`✗ firmware: ${(e as Error).message}\n`);
    jsonLine({ ok: false, step: 'firmware', error: (e as Error).message });
    return 1;
  }

  const print = progressPrinter((line) => err.write(`${line}\n`));
  let lastTenth = -1;
  const onProgress = (p: FlashProgress) => {
    print(p);
    if (p.status === 'progress') {
      // the JSON stream gets the same ~10% steps as the text
      const tenth = Math.floor(p.percent / 10);
      if (tenth <= lastTenth) return;
      lastTenth = tenth;
      jsonLine({ event: 'progress', step: 'write', percent: tenth * 10 });
      return;
    }
    jsonLine({ event: 'progress', ...p });
  };
  try {
    const result = await (deps.flash ?? flashFirmware)({
      portPath: args.port,
      firmware,
      erase: args.erase,
      baudRate: args.baud,
      before: args.noReset ? 'no_reset' : 'default_reset',
      onProgress,
    });
    err.write(`flashed ${firmware.name} to the ${result.chip} on ${args.port}: ${result.bytes} bytes, verified by MD5\n`);
    jsonLine({ ok: true, port: args.port, chip: result.chip, firmware: firmware.name, bytes: result.bytes, parts: result.parts });
    return 0;
  } catch (e) {
    const step = e instanceof FlashError ? e.step : 'write';
    const message = e instanceof Error ? e.message : String(e);
    err.write(`✗ ${step}: ${message}\n`);
    jsonLine({ ok: false, step, error: message });
    return 1;
  }
}
