/**
 * The History explorer's part of the contract: a resource's stored records read from Beebotte (or the sandbox)
 * by time range — raw, or hourly / daily statistics — exported to a file, and one raw record edited or deleted.
 * Export progress comes back as `export.progress` events (kind `history`), like the message log's exports.
 */
import { z } from 'zod';
import { READ_LIMIT_MAX, READ_SOURCES, SAMPLE_RATE_MAX } from '../common/read-ranges.js';
import { beebotteName, id, readTimeRange } from './primitives.js';

/** ms since the epoch, within what a Date can hold */
const instant = z.number().int().min(0).max(8.64e15);

export const HistoryQuery = z
  .object({
    profileId: id,
    channel: beebotteName,
    resource: beebotteName,
    /** a span (`6hour`, `2day`…) or a named period (`today`, `last-week`…); or start/end; none = Beebotte's default */
    timeRange: readTimeRange.optional(),
    start: instant.optional(),
    end: instant.optional(),
    source: z.enum(READ_SOURCES).default('raw'),
    /** one record in every N (raw reads) */
    sampleRate: z.number().int().min(1).max(SAMPLE_RATE_MAX).optional(),
    limit: z.number().int().min(1).max(READ_LIMIT_MAX).default(750),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.timeRange !== undefined && (q.start !== undefined || q.end !== undefined))
      ctx.addIssue({ code: 'custom', path: ['timeRange'], message: 'give a time range or start/end, not both' });
    if (q.start !== undefined && q.end !== undefined && q.start > q.end)
      ctx.addIssue({ code: 'custom', path: ['start'], message: 'the start is after the end' });
  });
export type HistoryQuery = z.input<typeof HistoryQuery>;

/** The record a user edits or deletes: Beebotte's `_id`. */
const recordTarget = { profileId: id, channel: beebotteName, resource: beebotteName, id: z.string().min(1).max(48) };

/** The new value as JSON text (what the desk's editor holds), parsed here once; the resource's vtype is checked by the server. */
const jsonValue = z
  .string()
  .max(128 * 1024)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `the value is not JSON (${(err as Error).message.slice(0, 80)}): a number, "text", true, {…} or […]` });
      return z.NEVER;
    }
  });

export const historyMethodParams = {
  'history.read': HistoryQuery,
  'history.export': z.object({ query: HistoryQuery, format: z.enum(['csv', 'json']) }).strict(),
  'history.updateRecord': z.object({ ...recordTarget, data: jsonValue, ts: instant.min(1).optional() }).strict(),
  'history.deleteRecord': z.object(recordTarget).strict(),
};

/** One stored record, as written. */
export interface HistoryRecordDTO {
  id: string;
  /** ms since epoch */
  ts: number;
  data: unknown;
}

/** One hour or day of a resource's numeric records: how many, their least, greatest, mean and sum (null: not given). */
export interface HistoryBucketDTO {
  /** the bucket's start, ms since epoch (UTC hours / days) */
  ts: number;
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  sum: number | null;
}

export type HistoryReadResult =
  | { source: 'raw'; records: HistoryRecordDTO[] }
  | { source: 'hour-stats' | 'day-stats'; buckets: HistoryBucketDTO[] };

export interface HistoryMethodResults {
  /** oldest first; at most `limit` (the newest ones in the window) */
  'history.read': HistoryReadResult;
  /** runs in the background: export.progress events with this id follow */
  'history.export': { exportId: string };
  'history.updateRecord': { updated: true };
  'history.deleteRecord': { deleted: true };
}
