import type { PayloadKind } from '../../api.js';
import { readEnvelope, type Envelope } from '../../common/beebotte-envelope.js';

/** How much of a payload travels to the UI with each message; the rest is fetched on demand. */
export const PREVIEW_BYTES = 2048;
/** JSON parsing above this size is deferred to when the user opens the message. */
const PARSE_LIMIT = 256 * 1024;

export interface Decoded {
  kind: PayloadKind;
  size: number;
  preview: string;
  clipped: boolean;
  envelope?: Envelope;
  /**
   * The parsed body when the payload is JSON (parsed once here): later stages (alert rules) reuse it
   * instead of parsing again. Never sent to the UI (toDTO copies named fields only).
   */
  json?: unknown;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes a payload once, on the hot path: kind, size, a bounded preview, the Beebotte envelope. */
export function decodePayload(payload: Buffer): Decoded {
  const size = payload.length;
  let text: string | null = null;
  if (size <= PARSE_LIMIT || looksTextual(payload)) {
    try {
      text = utf8.decode(size > PARSE_LIMIT ? payload.subarray(0, PREVIEW_BYTES * 4) : payload);
    } catch {
      text = null;
    }
  }
  if (text === null) {
    const clipped = size > PREVIEW_BYTES;
    return { kind: 'binary', size, preview: payload.subarray(0, PREVIEW_BYTES).toString('base64'), clipped };
  }
  const clipped = text.length > PREVIEW_BYTES || size > PARSE_LIMIT;
  const preview = text.length > PREVIEW_BYTES ? text.slice(0, PREVIEW_BYTES) : text;
  if (size <= PARSE_LIMIT) {
    const first = firstNonSpace(text);
    if (first === '{' || first === '[' || first === '"' || first === '-' || (first >= '0' && first <= '9') || first === 't' || first === 'f' || first === 'n') {
      try {
        const value: unknown = JSON.parse(text);
        const envelope = readEnvelope(value) ?? undefined;
        const decoded: Decoded = { kind: 'json', size, preview, clipped, json: value };
        if (envelope) decoded.envelope = boundEnvelope(envelope);
        return decoded;
      } catch {
        // not JSON: plain text
      }
    }
  }
  return { kind: 'text', size, preview, clipped };
}

function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length && i < 64; i++) {
    const c = text[i]!;
    if (c !== ' ' && c !== '\n' && c !== '\r' && c !== '\t') return c;
  }
  return '';
}

function looksTextual(payload: Buffer): boolean {
  const head = payload.subarray(0, 512);
  for (const byte of head) if (byte === 0) return false;
  return true;
}

/** Large `data` values stay out of the event stream: the preview carries them, clipped. */
function boundEnvelope(envelope: Envelope): Envelope {
  const data = envelope.data;
  if (typeof data === 'string' && data.length > 256) return { ...envelope, data: `${data.slice(0, 256)}…` };
  if (data !== null && typeof data === 'object') {
    let json: string | null;
    try {
      json = JSON.stringify(data);
    } catch {
      json = null; // nested too deep to serialize (JSON.stringify recurses): still JSON, just not inline
    }
    if (json === null || json.length > 512) return { ...envelope, data: '[object: open the message]' };
  }
  return envelope;
}
