/** The contract's smallest pieces, one definition each: ids, topics and filters, Beebotte names, the empty params. */
import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '../common/beebotte-names.js';
import { timeRangeError } from '../common/read-ranges.js';

export const id = z.string().min(1).max(64).regex(/^[\w-]+$/, 'ids are letters, digits, _ and -');
export const topic = z.string().min(1).max(1024);
export const topicFilter = z.string().min(1).max(1024);
export const Empty = z.object({}).strict();
export const beebotteName = z.string().regex(NAME_PATTERN, `Beebotte names are ${NAME_RULE}`);
/** a Beebotte read's time range: a span (`6hour`, `2day`…) or a named period (`today`, `last-week`…) */
export const readTimeRange = z
  .string()
  .max(32)
  .superRefine((v, ctx) => {
    const error = timeRangeError(v);
    if (error) ctx.addIssue({ code: 'custom', message: error });
  });
