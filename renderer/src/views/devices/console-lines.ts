/** The console's entries (bytes as hex on the wire) as lines: the same rendering as the CLI and the saved log. */
import type { ConsoleEntryDTO } from '../../../../electron/api';
import { consoleLine } from '../../../../electron/common/console-line';

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from((hex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)));
}

export function entryLine(e: ConsoleEntryDTO, opts: { hex: boolean; timestamps: boolean }): string {
  return consoleLine({ at: e.at, dir: e.dir, bytes: hexToBytes(e.hex) }, opts);
}
