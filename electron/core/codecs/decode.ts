import type { PayloadKind } from '../../api.js';
import { readEnvelope, type Envelope } from '../../common/beebotte-envelope.js';
import type { CodecName, PayloadCodec } from './index.js';

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
  /** a codec other than JSON was chosen for the topic (codecs/) */
  codec?: CodecName;
  /** why that codec could not decode this payload (the message is shown as it came) */
  codecError?: string;
  /**
   * the kind the UI shows when a codec decoded the payload (`kind` stays what the bytes are, for the store):
   * CBOR bytes are stored 'binary' and shown 'json' (preview = the decoded value as JSON)
   */
  shownKind?: PayloadKind;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a payload once, on the hot path: kind, size, a bounded preview, the Beebotte envelope. `codec`: the one
 * chosen for the topic (CodecTable.forTopic); null or absent = JSON, the fast default.
 */
export function decodePayload(payload: Buffer, codec?: PayloadCodec | null): Decoded {
  return codec ? decodeWith(payload, codec) : decodeDefault(payload);
}

/** The decoded form of a chosen codec: a string view (text, hex, base64) or a value shown as JSON. */
function decodeWith(payload: Buffer, codec: PayloadCodec): Decoded {
  const size = payload.length;
  let value: unknown;
  try {
    if (size > PARSE_LIMIT) throw new Error(`larger than ${PARSE_LIMIT / 1024} KB: open the message to see its bytes`);
    value = codec.decode(payload);
  } catch (err) {
    return { ...decodeDefault(payload), codec: codec.name, codecError: (err as Error).message };
  }
  const kind = codec.name === 'text' && utf8Valid(payload) ? 'text' : 'binary';
  if (typeof value === 'string') {
    const clipped = value.length > PREVIEW_BYTES;
    return {
      kind,
      shownKind: 'text',
      size,
      preview: clipped ? value.slice(0, PREVIEW_BYTES) : value,
      clipped,
      codec: codec.name,
    };
  }
  const text = JSON.stringify(value) ?? 'null';
  const clipped = text.length > PREVIEW_BYTES;
  const decoded: Decoded = {
    kind,
    shownKind: 'json',
    size,
    preview: clipped ? text.slice(0, PREVIEW_BYTES) : text,
    clipped,
    json: value,
    codec: codec.name,
  };
  const envelope = readEnvelope(value);
  if (envelope) decoded.envelope = boundEnvelope(envelope);
  return decoded;
}

function utf8Valid(payload: Buffer): boolean {
  try {
    utf8.decode(payload);
    return true;
  } catch {
    return false;
  }
}

function decodeDefault(payload: Buffer): Decoded {
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
    if (
      first === '{' ||
      first === '[' ||
      first === '"' ||
      first === '-' ||
      (first >= '0' && first <= '9') ||
      first === 't' ||
      first === 'f' ||
      first === 'n'
    ) {
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
