/** The console's entries as lines of text or hex: plain functions (no runes), shared by the panel and the saved log. */
import type { ConsoleEntryDTO } from '../../../../electron/api';

export function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from((hex.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)));
}

/** One entry as a line: control characters shown (␍ ␊ \xNN), or spaced hex; with its time when asked. */
export function entryLine(e: ConsoleEntryDTO, opts: { hex: boolean; timestamps: boolean }): string {
  const body = opts.hex
    ? (e.hex.match(/../g) ?? []).join(' ')
    : [...new TextDecoder().decode(hexToBytes(e.hex))]
        .map((c) => (c === '\n' ? '␊' : c === '\r' ? '␍' : c < ' ' || c === '\x7f' ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c))
        .join('');
  const mark = e.dir === 'rx' ? '<' : '>';
  return opts.timestamps ? `${new Date(e.at).toISOString().slice(11, 23)} ${mark} ${body}` : `${mark} ${body}`;
}
