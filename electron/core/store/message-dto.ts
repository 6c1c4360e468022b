import type { FullMessageDTO, MessageDTO } from '../../api.js';
import { readEnvelope, type Envelope } from '../../common/beebotte-envelope.js';
import { decodePayload, PREVIEW_BYTES } from '../codecs/decode.js';
import type { PayloadCodec } from '../codecs/index.js';
import type { StoredMessage } from './message-log.js';

/**
 * A stored message as the UI lists it: a bounded preview, never the whole payload. `codec`: the one chosen for its
 * topic now (CodecTable.forTopic): the stored bytes are shown decoded, as on arrival.
 */
export function toMessageDTO(row: StoredMessage, previewBytes: number = PREVIEW_BYTES, codec?: PayloadCodec | null): MessageDTO {
  const decoded = decodePayload(row.payload, codec);
  let preview: string;
  let clipped: boolean;
  if (decoded.shownKind) {
    preview = decoded.preview.length > previewBytes ? decoded.preview.slice(0, previewBytes) : decoded.preview;
    clipped = decoded.clipped || decoded.preview.length > previewBytes;
  } else if (row.kind === 'binary' || decoded.kind === 'binary') {
    // the stored kind was decided at ingest on the whole payload; the preview follows it
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
    kind: decoded.shownKind ?? row.kind,
    preview,
    clipped: clipped || row.overCap,
  };
  if ((row.kind === 'json' || decoded.shownKind === 'json') && decoded.envelope) dto.envelope = decoded.envelope;
  if (decoded.codec) dto.codec = decoded.codec;
  if (decoded.codecError) dto.codecError = decoded.codecError;
  if (row.own) dto.own = true;
  if (row.props) dto.props = row.props;
  return dto;
}

/** A stored message opened in full: the whole stored payload, and whether it was cut at the cap. */
export function toFullMessageDTO(row: StoredMessage, codec?: PayloadCodec | null): FullMessageDTO {
  const dto = toMessageDTO(row, PREVIEW_BYTES, codec);
  return { ...dto, payload: dto.codec && !dto.codecError ? decodedText(row, codec!) : payloadText(row), overCap: row.overCap };
}

/** The whole decoded form of a payload a codec reads (the detail's JSON/Text views). */
function decodedText(row: StoredMessage, codec: PayloadCodec): string {
  try {
    const value = codec.decode(row.payload);
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
  } catch {
    return payloadText(row);
  }
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
