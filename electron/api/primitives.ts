/** The contract's smallest pieces, one definition each: ids, topics and filters, Beebotte names, the empty params. */
import { z } from 'zod';
import { NAME_PATTERN, NAME_RULE } from '../common/beebotte-names.js';

export const id = z.string().min(1).max(64).regex(/^[\w-]+$/, 'ids are letters, digits, _ and -');
export const topic = z.string().min(1).max(1024);
export const topicFilter = z.string().min(1).max(1024);
export const Empty = z.object({}).strict();
export const beebotteName = z.string().regex(NAME_PATTERN, `Beebotte names are ${NAME_RULE}`);
