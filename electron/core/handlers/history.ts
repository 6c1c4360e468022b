import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { ParsedParamsOf } from '../../api.js';
import { exportHistory } from '../beebotte/history-export.js';
import type { ReadOptions } from '../beebotte/rest-client.js';
import type { CoreServices } from '../core.js';
import { exportsDir } from './messages.js';
import { restInWords } from './rest-errors.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods = 'history.read' | 'history.export' | 'history.updateRecord' | 'history.deleteRecord';

/** The History explorer: a resource's stored records over REST (the same against the sandbox), exported, edited, deleted. */
export function historyHandlers(s: Pick<CoreServices, 'profiles' | 'sandbox' | 'vault' | 'bus' | 'platform'>): HandlerGroup<Methods> {
  return {
    // a gone record is not_found, so the desk can drop it from its table
    'history.read': (q) =>
      restInWords(async () => (await restForProfile(s, q.profileId)).readRecords(q.channel, q.resource, readOptions(q)), 'not_found'),

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
      restInWords(async () => {
        await (await restForProfile(s, profileId)).updateRecord(channel, resource, id, data, ts);
        return { updated: true as const };
      }, 'not_found'),

    'history.deleteRecord': ({ profileId, channel, resource, id }) =>
      restInWords(async () => {
        await (await restForProfile(s, profileId)).deleteRecord(channel, resource, id);
        return { deleted: true as const };
      }, 'not_found'),
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
