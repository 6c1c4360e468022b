import { ApiError, type SeriesResult } from '../../api.js';
import { defaultNumericPath, numberAt, numericFields, numericPathError } from '../../common/numeric-fields.js';
import { CodecError, loadProto, messageTypes } from '../codecs/index.js';
import { decodePayload } from '../codecs/decode.js';
import type { CoreServices } from '../core.js';
import { HISTORY_WAIT_MS } from './messages.js';
import type { HandlerGroup } from './types.js';

type Methods = 'codecs.list' | 'codecs.save' | 'codecs.protoTypes' | 'messages.series';

/** Codecs per topic filter (remembered in the settings), and numeric series for charts, read from the store. */
export function codecHandlers(s: Pick<CoreServices, 'codecs' | 'log' | 'writer'>): HandlerGroup<Methods> {
  return {
    'codecs.list': async () => s.codecs.list(),

    'codecs.save': async ({ rules }) => readable(() => s.codecs.save(rules)),

    'codecs.protoTypes': async ({ protoFile }) => readable(() => ({ types: messageTypes(loadProto(protoFile)) })),

    'messages.series': async ({ profileId, topic, path, since, until, limit }) => {
      if (path !== undefined) {
        const problem = numericPathError(path);
        if (problem) throw new ApiError('invalid_params', `path: ${problem}`);
      }
      await s.writer.settled(HISTORY_WAIT_MS); // the series includes what the UI was already shown (bounded, as History)
      // the newest `limit` messages of the topic (ids follow arrival), kept when inside the window
      const rows = s.log.topicHistory(profileId, topic, limit);
      const codec = s.codecs.forTopic(topic);
      const result: SeriesResult = { path: path ?? null, points: [], fields: [] };
      for (const row of rows) {
        if (row.receivedAt < since) break;
        if (until !== undefined && row.receivedAt > until) continue;
        const { value, ts } = decodedValue(row.payload, codec);
        if (value === undefined) continue;
        if (result.fields.length === 0) result.fields = numericFields(value);
        result.path ??= defaultNumericPath(value);
        if (result.path === null) continue;
        const n = numberAt(value, result.path);
        // at the Beebotte envelope's ts when it has one, as the live chart and Beebotte's REST history draw it
        if (n !== null) result.points.push([ts ?? row.receivedAt, n]);
      }
      result.points.reverse(); // oldest first, as a chart draws them
      return result;
    },
  };
}

/** A stored payload's decoded form (what ingest showed): the parsed JSON, a codec's value, or a bare number's text; and its envelope's ts. */
function decodedValue(payload: Buffer, codec: Parameters<typeof decodePayload>[1]): { value: unknown; ts?: number } {
  if (payload.length === 0) return { value: undefined };
  const decoded = decodePayload(payload, codec);
  const ts = decoded.envelope?.ts;
  if (decoded.json !== undefined) return ts === undefined ? { value: decoded.json } : { value: decoded.json, ts };
  return { value: decoded.kind === 'text' && !decoded.clipped ? decoded.preview : undefined };
}

function readable<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof CodecError) throw new ApiError('invalid_params', err.message);
    throw err;
  }
}
