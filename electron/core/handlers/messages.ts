import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { PREVIEW_BYTES } from '../ingest/decode.js';
import { exportMessages, InvalidQueryError, toMessageDTO } from '../store/index.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods = 'messages.history' | 'messages.stats' | 'messages.export' | 'explorer.topics' | 'beebotte.channels' | 'beebotte.read';

/** Explorer, per-topic history, export, and Beebotte's declared channels and stored history (REST). */
export function messageHandlers(s: CoreServices): HandlerGroup<Methods> {
  return {
    'messages.history': async ({ profileId, topic, limit }) => {
      await s.writer.settled(); // read what the UI was already shown
      return s.log.topicHistory(profileId, topic, limit).map((row) => toMessageDTO(row, PREVIEW_BYTES));
    },

    'messages.stats': async () => {
      await s.writer.settled();
      const stats = s.log.stats();
      const storeError = s.ingest.lastStoreError;
      return { ...stats, received: s.topics.received, ...(storeError ? { storeError } : {}) };
    },

    'explorer.topics': async ({ profileId }) => s.topics.list(profileId, s.platform.clock.now()),

    'messages.export': async ({ query, format }) => {
      const exportId = randomUUID().slice(0, 8);
      const dir = exportsDir(s);
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const stamp = new Date(s.platform.clock.now()).toISOString().replace(/[:.]/g, '-');
      const name = `apiary-export-${stamp}-${exportId}.${format}`;
      const file = path.join(dir, name);
      await s.writer.settled(); // the export starts from everything the UI has seen
      try {
        s.log.countMatching(query); // validates the filter before we answer
      } catch (err) {
        if (err instanceof InvalidQueryError) throw new ApiError('invalid_params', err.message);
        throw err;
      }
      // runs in the background; progress and the result come as export.progress events
      void exportMessages(s.log, query, {
        format,
        file,
        onProgress: (done, total) => s.bus.emit('export.progress', { exportId, done, total }),
      }).then(
        (result) =>
          s.bus.emit('export.progress', {
            exportId,
            done: result.count,
            total: result.count,
            finished: { file: result.file, count: result.count, bytes: result.bytes, downloadPath: `/exports/${name}` },
          }),
        (err: Error) => s.bus.emit('export.progress', { exportId, done: 0, total: 0, error: err.message }),
      );
      return { exportId };
    },

    'beebotte.channels': async ({ profileId }) => {
      const rest = await restForProfile(s, profileId);
      if (!rest.canAdmin) {
        throw new ApiError('failed', 'declared channels need the account credentials (API key + secret key) or an IAM token with admin rights');
      }
      return rest.channels();
    },

    'beebotte.read': async ({ profileId, channel, resource, timeRange, limit }) =>
      (await restForProfile(s, profileId)).read(channel, resource, { limit, ...(timeRange ? { timeRange } : {}) }),
  };
}

export function exportsDir(s: CoreServices): string {
  return path.join(s.platform.dataDir, 'exports');
}
