import type { FullMessageDTO, MessageDTO } from '../../api.js';
import { readEnvelope, type Envelope } from '../../common/beebotte-envelope.js';
import { decodePayload, PREVIEW_BYTES } from '../ingest/decode.js';
import type { StoredMessage } from './message-log.js';

/** A stored message as the UI lists it: a bounded preview, never the whole payload. */
export function toMessageDTO(row: StoredMessage, previewBytes: number = PREVIEW_BYTES): MessageDTO {
  const decoded = decodePayload(row.payload);
  let preview: string;
  let clipped: boolean;
  // the stored kind was decided at ingest on the whole payload; the preview follows it
  if (row.kind === 'binary' || decoded.kind === 'binary') {
    preview =
      row.kind === 'binary'
        ? row.payload.subarray(0, previewBytes).toString('base64')
        : row.payload.subarray(0, previewBytes).toString('utf8');
    clipped = row.payload.length > previewBytes;
  } else {
    preview = decoded.preview.length > previewBytes ? decoded.preview.slice(0, previewBytes) : decoded.preview;
    clipped = decoded.clipped || decoded.preview.length > previewBytes;
  }
  const dto: MessageDTO = {
    id: row.id,
    profileId: row.profileId,
    topic: row.topic,
    receivedAt: row.receivedAt,
    qos: row.qos,
    retain: row.retain,
    size: row.size,
    kind: row.kind,
    preview,
    clipped: clipped || row.overCap,
  };
  if (row.kind === 'json' && decoded.envelope) dto.envelope = decoded.envelope;
  if (row.own) dto.own = true;
  if (row.props) dto.props = row.props;
  return dto;
}

/** A stored message opened in full: the whole stored payload, and whether it was cut at the cap. */
export function toFullMessageDTO(row: StoredMessage): FullMessageDTO {
  return { ...toMessageDTO(row), payload: payloadText(row), overCap: row.overCap };
}

/** The payload as text: UTF-8 for json/text, base64 for binary. */
export function payloadText(row: StoredMessage): string {
  return row.kind === 'binary' ? row.payload.toString('base64') : row.payload.toString('utf8');
}

/** The whole Beebotte envelope of a JSON payload (unbounded, unlike the preview's), or undefined. */
export function fullEnvelope(row: StoredMessage): Envelope | undefined {
  if (row.kind !== 'json' || row.overCap) return undefined;
  try {
    return readEnvelope(JSON.parse(row.payload.toString('utf8'))) ?? undefined;
  } catch {
    return undefined;
  }
}
