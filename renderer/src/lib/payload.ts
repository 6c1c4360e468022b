/**
 * Payload views: text, pretty JSON, hex and base64, computed lazily per visible row so a 1 MB
 * payload costs only what is on screen. Payloads are hostile input: these return plain strings that
 * the views render as text, never HTML.
 */
import type { MessageDTO } from '../../../electron/api';
import { defaultNumericPath, numberAt } from '../../../electron/common/numeric-fields';

export { toNumber } from '../../../electron/common/numeric-fields';

export const HEX_ROW = 16;
export const B64_ROW = 76;
/** Long lines are cut into segments of this many characters, so no DOM node grows unbounded. */
export const LINE_SEGMENT = 2000;

export function bytesOf(text: string, kind: MessageDTO['kind']): Uint8Array {
  if (kind === 'binary') {
    try {
      const bin = atob(text);
      const out = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
      return out;
    } catch {
      return new Uint8Array();
    }
  }
  return new TextEncoder().encode(text);
}

export function hexRow(data: Uint8Array, row: number): string {
  const start = row * HEX_ROW;
  const slice = data.subarray(start, start + HEX_ROW);
  let hex = '';
  let ascii = '';
  for (let i = 0; i < HEX_ROW; i++) {
    if (i < slice.length) {
      const b = slice[i]!;
      hex += b.toString(16).padStart(2, '0') + (i === 7 ? '  ' : ' ');
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '·';
    } else hex += i === 7 ? '    ' : '   ';
  }
  return `${start.toString(16).padStart(8, '0')}  ${hex} ${ascii}`;
}

export function base64Of(data: Uint8Array): string {
  let out = '';
  const chunk = 0x8000;
  for (let i = 0; i < data.length; i += chunk) out += String.fromCharCode(...data.subarray(i, i + chunk));
  return btoa(out);
}

/** Splits text into display lines, cutting long lines into segments. */
export function toLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) {
    if (line.length <= LINE_SEGMENT) lines.push(line);
    else for (let i = 0; i < line.length; i += LINE_SEGMENT) lines.push(line.slice(i, i + LINE_SEGMENT));
  }
  return lines;
}

/** Pretty JSON, or null when the text is not JSON. */
export function prettyJson(text: string): string | null {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return null;
  }
}

/** The value a message carries, short: the Beebotte data when present, else the preview. */
export function shownValue(m: MessageDTO): string {
  if (m.envelope) return JSON.stringify(m.envelope.data) ?? 'null';
  return m.kind === 'binary' ? `binary, base64 ${m.preview.slice(0, 64)}` : m.preview;
}

/**
 * The decoded form of a message, as far as the list DTO carries it: the parsed JSON (a codec's decoded value is
 * shown as JSON too), the Beebotte envelope of a clipped one, or short text. null when there is nothing to read.
 */
export function decodedValue(m: MessageDTO): unknown {
  if (m.kind === 'json' && !m.clipped) {
    try {
      return JSON.parse(m.preview) as unknown;
    } catch {
      return null;
    }
  }
  if (m.envelope) return { ...m.envelope };
  return m.kind === 'text' && !m.clipped ? m.preview.trim() : null;
}

/** A number for charts: Beebotte data, a bare number, or else the payload's first numeric field ({"v": 24.96}). */
export function numberOf(m: MessageDTO): number | null {
  const value = decodedValue(m);
  const at = defaultNumericPath(value);
  return at === null ? null : numberAt(value, at);
}
