/**
 * `apiary devices [--json]`: serial ports, with known USB bridges and boards named.
 * Ptys never appear here (no USB details); any path can still be given to `apiary provision --port`.
 */
import { listPorts, type PortLister } from '../core/pairing/discovery.js';
import { parseFlags } from './cli-io.js';

export interface DevicesDeps {
  lister?: PortLister;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

const USAGE = 'usage: apiary devices [--json]';
const HELP = `${USAGE}

Lists serial ports, naming known USB bridges and boards by VID:PID (a hint: pairing confirms with the
Improv handshake). Ptys never appear; any path can still be given to apiary provision --port.

  --json       one JSON line: {"ports": […], "warning"?: "…"}
  -h, --help   this help`;

export async function runDevicesCommand(argv: string[], deps: DevicesDeps = {}): Promise<number> {
  const out = deps.stdout ?? process.stdout;
  const err = deps.stderr ?? process.stderr;
  let json: boolean;
  try {
    const values = parseFlags(argv, {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    });
    if (values.help) {
      out.write(`${HELP}\n`);
      return 0;
    }
    json = values.json ?? false;
  } catch (e) {
    err.write(`apiary devices: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }

  const listing = await listPorts(deps.lister);
  if (listing.warning) err.write(`warning: ${listing.warning}\n`);
  if (json) {
    out.write(`${JSON.stringify(listing)}\n`);
    return 0;
  }
  if (listing.ports.length === 0) {
    out.write('no serial ports found: plug a board in, or give a path with apiary provision --port\n');
    return 0;
  }
  const width = Math.max(...listing.ports.map((p) => p.path.length));
  for (const p of listing.ports) {
    const what = p.board ?? p.manufacturer ?? '';
    const serial = p.serialNumber ? `  serial ${p.serialNumber}` : '';
    out.write(`${p.path.padEnd(width)}  ${(p.vidPid ?? '—').padEnd(9)}  ${what}${serial}`.trimEnd() + '\n');
  }
  return 0;
}
