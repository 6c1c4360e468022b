/**
 * A resource's stored records (or its hourly / daily statistics), read from Beebotte in one request of up to
 * 50,000 and written to a CSV or JSON file the way the message log's exports are: to `<file>.partial` first,
 * renamed when complete, with progress while it writes.
 */
import fs from 'node:fs';
import type { HistoryBucketDTO, HistoryReadResult, HistoryRecordDTO } from '../../api.js';
import { csvRecord } from '../store/csv.js';
import { FileWriter } from '../store/export.js';
import type { BeebotteRest, ReadOptions } from './rest-client.js';

export type HistoryExportFormat = 'csv' | 'json';

export interface HistoryExportOptions {
  format: HistoryExportFormat;
  file: string;
  /** (records written, records read): once before the read (0, 0), then at most every ~100 ms, and at the end */
  onProgress?: (done: number, total: number) => void;
}

export interface HistoryExportResult {
  count: number;
  bytes: number;
  file: string;
}

const RAW_COLUMNS = ['id', 'time', 'ts', 'data'] as const;
const STATS_COLUMNS = ['time', 'ts', 'count', 'min', 'max', 'mean', 'sum'] as const;
const CHUNK_ROWS = 1000;
const PROGRESS_MS = 100;

type Rest = Pick<BeebotteRest, 'readRecords'>;

export async function exportHistory(
  rest: Rest,
  channel: string,
  resource: string,
  query: ReadOptions,
  opts: HistoryExportOptions,
): Promise<HistoryExportResult> {
  opts.onProgress?.(0, 0);
  const result = await rest.readRecords(channel, resource, query);
  const rows: (HistoryRecordDTO | HistoryBucketDTO)[] = result.source === 'raw' ? result.records : result.buckets;
  const total = rows.length;
  const partial = `${opts.file}.partial`;
  const out = new FileWriter(partial);
  let lastProgress = Date.now();
  try {
    await out.opened();
    opts.onProgress?.(0, total);
    if (opts.format === 'csv') await out.write(historyCsvHeader(result.source));
    else await out.write('[');
    for (let at = 0; at < total; at += CHUNK_ROWS) {
      let chunk = '';
      for (let i = at; i < Math.min(total, at + CHUNK_ROWS); i++) chunk += encode(opts.format, result.source, rows[i]!, i === 0);
      await out.write(chunk);
      // yield so ingest and IPC keep flowing while a large export is written
      await new Promise<void>((resolve) => setImmediate(resolve));
      const now = Date.now();
      if (opts.onProgress && now - lastProgress >= PROGRESS_MS) {
        lastProgress = now;
        opts.onProgress(Math.min(total, at + CHUNK_ROWS), total);
      }
    }
    if (opts.format === 'json') await out.write(total === 0 ? ']\n' : '\n]\n');
    await out.close();
    await fs.promises.rename(partial, opts.file);
  } catch (err) {
    out.destroy();
    await fs.promises.rm(partial, { force: true }).catch(() => undefined);
    throw new Error(`cannot write the export to ${opts.file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  opts.onProgress?.(total, total);
  return { count: total, bytes: out.bytes, file: opts.file };
}

/** One row as an object (JSON) — the CLI prints the same shape with --json. */
export function historyRow(source: HistoryReadResult['source'], row: HistoryRecordDTO | HistoryBucketDTO): Record<string, unknown> {
  const time = new Date(row.ts).toISOString();
  if (source === 'raw') {
    const r = row as HistoryRecordDTO;
    return { id: r.id, time, ts: r.ts, data: r.data };
  }
  const b = row as HistoryBucketDTO;
  return { time, ts: b.ts, count: b.count, min: b.min, max: b.max, mean: b.mean, sum: b.sum };
}

/** One row as a CSV record: the value as JSON text (so 21.5, "on" and {…} read back unambiguously). */
export function historyCsvRecord(source: HistoryReadResult['source'], row: HistoryRecordDTO | HistoryBucketDTO): string {
  const o = historyRow(source, row);
  if (source === 'raw') return csvRecord([o.id as string, o.time as string, o.ts as number, JSON.stringify(o.data ?? null)]);
  return csvRecord(STATS_COLUMNS.map((c) => o[c] as string | number | null));
}

export function historyCsvHeader(source: HistoryReadResult['source']): string {
  return csvRecord(source === 'raw' ? RAW_COLUMNS : STATS_COLUMNS);
}

function encode(format: HistoryExportFormat, source: HistoryReadResult['source'], row: HistoryRecordDTO | HistoryBucketDTO, first: boolean): string {
  if (format === 'csv') return historyCsvRecord(source, row);
  return `${first ? '\n' : ',\n'}${JSON.stringify(historyRow(source, row))}`;
}
