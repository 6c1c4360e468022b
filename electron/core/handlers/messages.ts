import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { PublishHistoryEntry } from '../../api.js';
import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import { PREVIEW_BYTES } from '../codecs/decode.js';
import { exportMessages, InvalidQueryError, toFullMessageDTO, toMessageDTO } from '../store/index.js';
import { profileOr404 } from './lookup.js';
import type { HandlerGroup } from './types.js';

type Methods =
  | 'messages.publish'
  | 'messages.query'
  | 'messages.get'
  | 'messages.history'
  | 'messages.stats'
  | 'messages.export';

type Deps = Pick<CoreServices, 'profiles' | 'sessions' | 'composer' | 'log' | 'writer' | 'ingest' | 'topics' | 'bus' | 'platform' | 'codecs'>;

/** how long a topic's History (and a chart's series) waits for the store's writer before reading what is committed */
export const HISTORY_WAIT_MS = 2000;

/** Publishing (with its history), and the message log: query, one message, a topic's history, stats, export. */
export function messageHandlers(s: Deps): HandlerGroup<Methods> {
  return {
    'messages.publish': async (input) => {
      const profile = profileOr404(s.profiles, input.profileId);
      const entry = { at: s.platform.clock.now(), profileId: profile.id, topic: input.topic, data: input.data, write: input.write, ispublic: input.ispublic, qos: input.qos };
      // the history is a convenience: failing to write it (disk full) must not turn a sent message into an error
      const record = (status: PublishHistoryEntry['status'], error?: string) => {
        try {
          s.composer.record({ ...entry, status, ...(error ? { error } : {}) });
        } catch (err) {
          s.platform.log.warn(`publish history not saved: ${(err as Error).message}`);
        }
      };
      try {
        const result = await s.sessions.publish(profile, input);
        record(result.status);
        return result;
      } catch (err) {
        record('failed', (err as Error).message);
        throw err;
      }
    },
    'messages.query': async (query) => {
      try {
        await s.writer.settled(); // read what the UI was already shown
        return s.log.query(query).map((row) => toMessageDTO(row, PREVIEW_BYTES, s.codecs.forTopic(row.topic)));
      } catch (err) {
        if (err instanceof InvalidQueryError) throw new ApiError('invalid_params', err.message);
        throw err;
      }
    },
    'messages.get': async ({ id }) => {
      await s.writer.settled();
      const row = s.log.get(id);
      if (!row) throw new ApiError('not_found', `message ${id} is no longer in the store (retention budget)`);
      return toFullMessageDTO(row, s.codecs.forTopic(row.topic));
    },
    'messages.history': async ({ profileId, topic, limit }) => {
      // read what the UI was already shown; a writer seconds behind (a flood on a busy machine) must not keep
      // History "loading…": after 2 s it answers from what is committed, and the page's live batches go on top
      await s.writer.settled(HISTORY_WAIT_MS);
      const codec = s.codecs.forTopic(topic);
      return s.log.topicHistory(profileId, topic, limit).map((row) => toMessageDTO(row, PREVIEW_BYTES, codec));
    },

    'messages.stats': async () => {
      // the writer commits what it holds when asked (a few ms); one far behind is shown as a lag, not waited for
      await s.writer.settled(250);
      const stats = s.log.stats();
      const storeError = s.ingest.lastStoreError;
      const lag = s.writer.lag();
      return { ...stats, received: s.topics.received, ...(storeError ? { storeError } : {}), ...(lag.messages > 0 ? { lag } : {}) };
    },

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
        codecFor: (topic) => s.codecs.forTopic(topic),
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

  };
}

export function exportsDir(s: Pick<CoreServices, 'platform'>): string {
  return path.join(s.platform.dataDir, 'exports');
}
