/**
 * One serial-console entry as a line, the same in `apiary console`, the saved log and the desk: text with
 * control characters shown (␍ ␊ \xNN) or spaced hex, "<" received / ">" sent, optionally with its UTC time.
 */
export interface ConsoleLineEntry {
  /** ms since epoch */
  at: number;
  dir: 'rx' | 'tx';
  bytes: Uint8Array;
}

export function consoleLine(e: ConsoleLineEntry, opts: { hex?: boolean; timestamps?: boolean } = {}): string {
  const body = opts.hex
    ? [...e.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')
    : [...new TextDecoder().decode(e.bytes)]
        .map((c) => (c === '\n' ? '␊' : c === '\r' ? '␍' : c < ' ' || c === '\x7f' ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c))
        .join('');
  const mark = e.dir === 'rx' ? '<' : '>';
  return opts.timestamps ? `${new Date(e.at).toISOString().slice(11, 23)} ${mark} ${body}` : `${mark} ${body}`;
}
