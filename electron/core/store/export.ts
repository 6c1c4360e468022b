import fs from 'node:fs';
import { csvRecord } from './csv.js';
import type { LogQuery } from './log-query.js';
import { fullEnvelope, payloadText } from './message-dto.js';
import type { MessageLog, StoredMessage } from './message-log.js';
import type { PayloadCodec } from '../codecs/index.js';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

export interface ExportOptions {
  format: ExportFormat;
  file: string;
  /** called with (rows written, rows matching) at the start, at most every ~100 ms, and at the end */
  onProgress?: (done: number, total: number) => void;
  /** the codec of a topic (codecs/): its decoded form goes in `decoded` (CBOR, Protobuf… as JSON) */
  codecFor?: (topic: string) => PayloadCodec | null;
}

export interface ExportResult {
  count: number;
  bytes: number;
  file: string;
}

export const CSV_COLUMNS = [
  'id',
  'profile',
  'topic',
  'received_at',
  'qos',
  'retain',
  'size',
  'kind',
  'payload',
  'data',
  'over_cap',
  'properties',
  'decoded',
] as const;

/** Rows and bytes read from the store per step: memory stays bounded whatever the log holds. */
const PAGE_ROWS = 500;
const PAGE_BYTES = 8 * 1024 * 1024;
const PROGRESS_MS = 100;

/**
 * Streams the messages matching `query` (its profile, topic filter and text; oldest first) into
 * `file`. The log is a snapshot at the start: messages arriving meanwhile are not exported.
 * The file appears only when complete (written to `<file>.partial`, then renamed).
 */
export async function exportMessages(log: MessageLog, query: LogQuery, opts: ExportOptions): Promise<ExportResult> {
  const format = opts.format;
  if (format !== 'csv' && format !== 'json' && format !== 'ndjson') {
    throw new Error(`cannot export as ${JSON.stringify(format)}: choose csv, json or ndjson`);
  }
  const upper = query.beforeId ?? log.lastId() + 1;
  const filter: LogQuery = {
    profileId: query.profileId,
    topicFilter: query.topicFilter,
    text: query.text,
    userProperty: query.userProperty,
    contentType: query.contentType,
    retained: query.retained,
    beforeId: upper,
  };
  const total = log.countMatching(filter);
  const partial = `${opts.file}.partial`;
  const out = new FileWriter(partial);
  let count = 0;
  let lastProgress = Date.now();
  try {
    await out.opened();
    opts.onProgress?.(0, total);
    await out.write(header(format));
    let cursor = 0;
    for (;;) {
      const rows = log.query({ ...filter, afterId: cursor, order: 'asc', limit: PAGE_ROWS }, { maxBytes: PAGE_BYTES });
      if (rows.length === 0) break;
      let chunk = '';
      for (const row of rows) {
        chunk += encode(format, row, count === 0, opts.codecFor);
        count++;
      }
      cursor = rows[rows.length - 1]!.id;
      await out.write(chunk);
      // a write that needs no drain resolves at once: yield anyway so ingest and IPC keep flowing
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = Date.now();
      if (opts.onProgress && now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        opts.onProgress(count, total);
      }
    }
    await out.write(footer(format, count));
    await out.close();
    await fs.promises.rename(partial, opts.file);
  } catch (err) {
    out.destroy();
    await fs.promises.rm(partial, { force: true }).catch(() => undefined);
    throw new Error(`cannot write the export to ${opts.file}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  opts.onProgress?.(count, total);
  return { count, bytes: out.bytes, file: opts.file };
}

function header(format: ExportFormat): string {
  if (format === 'csv') return csvRecord(CSV_COLUMNS);
  return format === 'json' ? '[' : '';
}

function footer(format: ExportFormat, count: number): string {
  if (format === 'json') return count === 0 ? ']\n' : '\n]\n';
  return '';
}

function encode(format: ExportFormat, row: StoredMessage, first: boolean, codecFor?: ExportOptions['codecFor']): string {
  const envelope = fullEnvelope(row);
  const decoded = decodedForExport(row, codecFor?.(row.topic));
  if (format === 'csv') {
    return csvRecord([
      row.id,
      row.profileId,
      row.topic,
      isoTime(row.receivedAt),
      row.qos,
      row.retain,
      row.size,
      row.kind,
      payloadText(row),
      envelope ? JSON.stringify(envelope.data) : '',
      row.overCap,
      row.props ? JSON.stringify(row.props) : '',
      decoded === undefined ? '' : JSON.stringify(decoded),
    ]);
  }
  const record: Record<string, unknown> = {
    id: row.id,
    profile: row.profileId,
    topic: row.topic,
    received_at: isoTime(row.receivedAt),
    qos: row.qos,
    retain: row.retain,
    size: row.size,
    kind: row.kind,
    payload: payloadText(row),
    over_cap: row.overCap,
  };
  if (envelope) record.data = envelope.data;
  if (row.props) record.properties = row.props;
  if (decoded !== undefined) record.decoded = decoded;
  const json = JSON.stringify(record);
  if (format === 'ndjson') return `${json}\n`;
  return `${first ? '\n' : ',\n'}${json}`;
}

/** The whole payload decoded by its topic's codec, or undefined (no codec, cut at the store's cap, not decodable). */
function decodedForExport(row: StoredMessage, codec: PayloadCodec | null | undefined): unknown {
  if (!codec || row.overCap) return undefined;
  try {
    return codec.decode(row.payload);
  } catch {
    return undefined;
  }
}

function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/** A WriteStream that honors backpressure and turns stream errors into rejections. */
export class FileWriter {
  bytes = 0;
  private readonly stream: fs.WriteStream;
  private error: Error | null = null;
  private readonly failed: Promise<never>;

  constructor(file: string) {
    this.stream = fs.createWriteStream(file);
    this.failed = new Promise<never>((_, reject) => {
      this.stream.on('error', (err) => {
        this.error = err;
        reject(err);
      });
    });
    this.failed.catch(() => undefined); // observed through the methods below
  }

  opened(): Promise<void> {
    return this.until('ready');
  }

  async write(chunk: string): Promise<void> {
    if (this.error) throw this.error;
    if (chunk === '') return;
    this.bytes += Buffer.byteLength(chunk);
    if (!this.stream.write(chunk)) await this.until('drain');
  }

  close(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    // 'close' (not 'finish'): the file descriptor is released before the caller renames the file
    const done = this.until('close');
    this.stream.end();
    return done;
  }

  destroy(): void {
    this.stream.destroy();
  }

  private until(event: 'ready' | 'drain' | 'close'): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (event === 'ready' && !this.stream.pending) return Promise.resolve();
    return Promise.race([new Promise<void>((resolve) => this.stream.once(event, () => resolve())), this.failed]);
  }
}
