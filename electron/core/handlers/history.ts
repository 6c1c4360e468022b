import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApiError, type ParsedParamsOf } from '../../api.js';
import { exportHistory } from '../beebotte/history-export.js';
import { BeebotteRestError, type ReadOptions } from '../beebotte/rest-client.js';
import type { CoreServices } from '../core.js';
import { exportsDir } from './messages.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods = 'history.read' | 'history.export' | 'history.updateRecord' | 'history.deleteRecord';

/** The History explorer: a resource's stored records over REST (the same against the sandbox), exported, edited, deleted. */
export function historyHandlers(s: Pick<CoreServices, 'profiles' | 'sandbox' | 'vault' | 'bus' | 'platform'>): HandlerGroup<Methods> {
  return {
    'history.read': (q) => readable(async () => (await restForProfile(s, q.profileId)).readRecords(q.channel, q.resource, readOptions(q))),

    'history.export': async ({ query, format }) => {
      const rest = await restForProfile(s, query.profileId);
      const exportId = randomUUID().slice(0, 8);
      const dir = exportsDir(s);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stamp = new Date(s.platform.clock.now()).toISOString().replace(/[:.]/g, '-');
      // the message log's naming, so the host serves it for download like any export
      const name = `apiary-export-history-${query.channel}-${query.resource}-${stamp}-${exportId}.${format}`;
      const file = path.join(dir, name);
      const emit = (p: { done: number; total: number; finished?: { file: string; count: number; bytes: number; downloadPath: string }; error?: string }) =>
        s.bus.emit('export.progress', { exportId, kind: 'history', ...p });
      // runs in the background; progress and the result come as export.progress events
      void exportHistory(rest, query.channel, query.resource, readOptions(query), {
        format,
        file,
        onProgress: (done, total) => emit({ done, total }),
      }).then(
        (result) =>
          emit({ done: result.count, total: result.count, finished: { file: result.file, count: result.count, bytes: result.bytes, downloadPath: `/exports/${name}` } }),
        (err: Error) => emit({ done: 0, total: 0, error: err.message }),
      );
      return { exportId };
    },

    'history.updateRecord': ({ profileId, channel, resource, id, data, ts }) =>
      readable(async () => {
        await (await restForProfile(s, profileId)).updateRecord(channel, resource, id, data, ts);
        return { updated: true as const };
      }),

    'history.deleteRecord': ({ profileId, channel, resource, id }) =>
      readable(async () => {
        await (await restForProfile(s, profileId)).deleteRecord(channel, resource, id);
        return { deleted: true as const };
      }),
  };
}

function readOptions(q: ParsedParamsOf<'history.read'>): ReadOptions {
  return {
    limit: q.limit,
    source: q.source,
    ...(q.timeRange !== undefined ? { timeRange: q.timeRange } : {}),
    ...(q.start !== undefined ? { start: q.start } : {}),
    ...(q.end !== undefined ? { end: q.end } : {}),
    ...(q.sampleRate !== undefined ? { sampleRate: q.sampleRate } : {}),
  };
}

/** Beebotte's answer in words (a gone record is not_found, so the desk can drop it from its table). */
async function readable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BeebotteRestError) throw new ApiError(err.status === 404 ? 'not_found' : 'failed', err.message);
    throw err;
  }
}
