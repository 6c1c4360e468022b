/**
 * `apiary console`: a serial console on any port.
 *   apiary console --port PATH [--baud N] [--dtr on|off] [--rts on|off] [--line-ending lf|cr|crlf|none]
 *                  [--hex] [--timestamps] [--log FILE]
 * What the board sends goes to stdout (text as it comes, or one hex/timestamped line per chunk); each line of
 * stdin is sent with the line ending, and a line starting with "\x " is sent as hex bytes ("\x 01 a0 ff").
 * Ends when stdin ends or the board goes away; --log saves the whole session (bounded) to FILE.
 * Exit 0 on a clean end, 1 when the port failed, 2 for bad usage.
 */
import { createInterface } from 'node:readline';
import { SerialConsole, renderEntry, type ConsoleOptions, type LineEnding } from '../core/devices/console.js';
import { asPairingError } from '../core/pairing/errors.js';
import { parseFlags } from './cli-io.js';

export interface ConsoleDeps {
  openPort?: ConsoleOptions['openPort'];
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const USAGE =
  'usage: apiary console --port PATH [--baud N] [--dtr on|off] [--rts on|off] [--line-ending lf|cr|crlf|none] [--hex] [--timestamps] [--log FILE]';

const HELP = `${USAGE}

A serial console: what the board sends goes to stdout; each line you type is sent with the line ending
(default lf). A line starting with "\\x " is sent as raw hex bytes, e.g. \\x 01 a0 ff.

  --port PATH          the serial port (apiary devices lists them)
  --baud N             115200 by default (Improv's rate); 300 to 3000000
  --dtr on|off         DTR after open; off by default (on can reset an ESP32 or hold it in its bootloader)
  --rts on|off         RTS after open; off by default
  --line-ending E      lf, cr, crlf or none
  --hex                show what arrives as hex, one line per chunk
  --timestamps         prefix each chunk with its time (UTC)
  --log FILE           save the session (both directions, timestamped) to FILE when it ends
  -h, --help           this help

A port held by the desk (pairing or its console) is refused with who holds it.
Exit status: 0 ended, 1 the port failed, 2 bad usage.`;

const ENDINGS: LineEnding[] = ['none', 'lf', 'cr', 'crlf'];

function onOff(value: string | undefined, flag: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'off') return value === 'on';
  throw new Error(`--${flag} takes on or off`);
}

export async function runConsoleCommand(argv: string[], deps: ConsoleDeps = {}): Promise<number> {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  if (argv.includes('--help') || argv.includes('-h')) {
    out.write(`${HELP}\n`);
    return 0;
  }
  let opts: ConsoleOptions;
  let path: string;
  let hex: boolean;
  let timestamps: boolean;
  let logFile: string | undefined;
  try {
    const values = parseFlags(argv, {
      port: { type: 'string' },
      baud: { type: 'string', default: '115200' },
      dtr: { type: 'string' },
      rts: { type: 'string' },
      'line-ending': { type: 'string', default: 'lf' },
      hex: { type: 'boolean', default: false },
      timestamps: { type: 'boolean', default: false },
      log: { type: 'string' },
    });
    if (!values.port) throw new Error('--port is required');
    path = values.port;
    const baudRate = Number(values.baud);
    if (!Number.isInteger(baudRate) || baudRate < 300 || baudRate > 3_000_000) throw new Error('--baud takes a rate from 300 to 3000000');
    const ending = values['line-ending'] as LineEnding;
    if (!ENDINGS.includes(ending)) throw new Error(`--line-ending takes ${ENDINGS.join(', ')}`);
    const dtr = onOff(values.dtr, 'dtr');
    const rts = onOff(values.rts, 'rts');
    opts = { baudRate, lineEnding: ending, owner: 'apiary console', ...(dtr !== undefined ? { dtr } : {}), ...(rts !== undefined ? { rts } : {}) };
    if (deps.openPort) opts.openPort = deps.openPort;
    hex = values.hex ?? false;
    timestamps = values.timestamps ?? false;
    logFile = values.log;
  } catch (e) {
    err.write(`apiary console: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }

  let konsole: SerialConsole;
  try {
    konsole = await SerialConsole.open(path, opts);
  } catch (e) {
    err.write(`apiary console: ${asPairingError(e).message}\n`);
    return 1;
  }
  const lines = konsole.modemLines;
  err.write(`connected to ${path} at ${opts.baudRate} baud (DTR ${lines.dtr ? 'on' : 'off'}, RTS ${lines.rts ? 'on' : 'off'}); end with Ctrl-D\n`);
  konsole.onEntry((e) => {
    if (e.dir !== 'rx') return;
    if (hex || timestamps) out.write(`${renderEntry(e, { hex, timestamps })}\n`);
    else out.write(Buffer.from(e.bytes));
  });

  let failed = false;
  const ended = new Promise<void>((resolve) => {
    konsole.onClose((reason) => {
      if (reason) {
        failed = true;
        err.write(`apiary console: ${path} went away (${reason.message})\n`);
      }
      resolve();
    });
    const input = createInterface({ input: deps.stdin ?? process.stdin, terminal: false });
    let queue = Promise.resolve();
    input.on('line', (line) => {
      queue = queue.then(async () => {
        try {
          if (line.startsWith('\\x ')) await konsole.sendBytes(line.slice(3));
          else await konsole.sendLine(line);
        } catch (e) {
          err.write(`apiary console: ${asPairingError(e).message}\n`);
        }
      });
    });
    // stdin ended: let what was queued go out and the board's answer come back, then end
    input.once('close', () => void queue.then(() => setTimeout(resolve, 300)));
  });
  await ended;
  if (logFile) {
    try {
      const n = await konsole.save(logFile, { timestamps: true, hex });
      err.write(`saved ${n} entries to ${logFile}\n`);
    } catch (e) {
      err.write(`apiary console: cannot save the log to ${logFile}: ${(e as Error).message}\n`);
      failed = true;
    }
  }
  await konsole.close().catch(() => undefined);
  return failed ? 1 : 0;
}
