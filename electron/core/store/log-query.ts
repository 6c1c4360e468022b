import { filterToGlob, filterToRegex, hasWildcards, topicFilterError } from './topic-filter.js';

/** A filtered page of the log. Newest first by default (keyset: `id < beforeId`). */
export interface LogQuery {
  profileId?: string;
  /** MQTT filter: exact topic, or with `+` / `#` wildcards */
  topicFilter?: string;
  /** case-insensitive (ASCII) substring of the payload text; binary payloads never match */
  text?: string;
  /** MQTT 5 user property: "key" (any value) or "key=value" */
  userProperty?: string;
  /** MQTT 5 content type, exactly */
  contentType?: string;
  /** only messages with the retain flag */
  retained?: boolean;
  beforeId?: number;
  /** oldest first from here (`id > afterId`); used by export to walk the log forwards */
  afterId?: number;
  order?: 'desc' | 'asc';
  limit?: number;
}

export const DEFAULT_PAGE = 200;
export const MAX_PAGE = 10_000;

/**
 * The log is cut in spans of 2^SPAN_SHIFT consecutive ids; the topic index (migration 9) is (span, topic_key, id),
 * so a query for one topic is run span by span (MessageLog), its SQL given the span as @span. Migration 9's index
 * and the SQL here must say `(id >> 14)` alike, or SQLite does not use the index.
 */
export const SPAN_SHIFT = 14;
export const SPAN_SQL = `(id >> ${SPAN_SHIFT})`;
/** ids in a span */
export const SPAN_IDS = 2 ** SPAN_SHIFT;
/** The span of an id, as SQLite computes it (ids are positive; no 32-bit `>>` in JavaScript). */
export function spanOf(id: number): number {
  return Math.floor(id / SPAN_IDS);
}

/** The SQL of a query, without ORDER/LIMIT, and its named parameters. Values are always bound, never spliced. */
export interface BuiltWhere {
  /** a stable key for the statement cache: the SQL shape, not the values */
  where: string;
  params: Record<string, string | number>;
  /** the query is for one topic: run it once per span, @span bound to it (MessageLog) */
  bySpan: boolean;
}

export class InvalidQueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

export function buildWhere(q: LogQuery): BuiltWhere {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  let bySpan = false;
  if (q.profileId !== undefined) {
    clauses.push('profile_id = @profileId');
    params.profileId = q.profileId;
  }
  if (q.topicFilter !== undefined && q.topicFilter !== '#') {
    const error = topicFilterError(q.topicFilter);
    if (error) throw new InvalidQueryError(error);
    if (hasWildcards(q.topicFilter)) {
      // GLOB narrows by index; the regular expression (SQLite's REGEXP, built into libsql) is the exact MQTT rule.
      clauses.push('topic GLOB @glob', 'topic REGEXP @regex');
      params.glob = filterToGlob(q.topicFilter);
      params.regex = filterToRegex(q.topicFilter);
    } else {
      // through the topic's key (migration 7), one span at a time: the (span, topic_key, id) index (migration 9)
      // walks the span's messages of the topic in id order
      bySpan = true;
      clauses.push(
        `${SPAN_SQL} = @span`,
        q.profileId !== undefined
          ? 'topic_key = (SELECT key FROM topics WHERE profile_id = @profileId AND topic = @topic)'
          : 'topic_key IN (SELECT key FROM topics WHERE topic = @topic)',
      );
      params.topic = q.topicFilter;
    }
  } else if (q.topicFilter === '#') {
    clauses.push("topic NOT GLOB '$*'"); // "#" matches everything except $SYS-style topics
  }
  if (q.text !== undefined && q.text !== '') {
    clauses.push("kind <> 'binary'", "CAST(payload AS TEXT) LIKE @text ESCAPE '\\'");
    params.text = `%${escapeLike(q.text)}%`;
  }
  if (q.userProperty !== undefined && q.userProperty !== '') {
    const eq = q.userProperty.indexOf('=');
    const key = eq < 0 ? q.userProperty : q.userProperty.slice(0, eq);
    // each pair is a [key, value] array in props.userProperties
    const value = eq < 0 ? '' : " AND json_extract(u.value, '$[1]') = @upValue";
    clauses.push(
      `props IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(props, '$.userProperties') AS u WHERE json_extract(u.value, '$[0]') = @upKey${value})`,
    );
    params.upKey = key;
    if (eq >= 0) params.upValue = q.userProperty.slice(eq + 1);
  }
  if (q.contentType !== undefined && q.contentType !== '') {
    clauses.push("props IS NOT NULL AND json_extract(props, '$.contentType') = @contentType");
    params.contentType = q.contentType;
  }
  if (q.retained) clauses.push('retain = 1');
  if (q.beforeId !== undefined) {
    clauses.push('id < @beforeId');
    params.beforeId = q.beforeId;
  }
  if (q.afterId !== undefined) {
    clauses.push('id > @afterId');
    params.afterId = q.afterId;
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params, bySpan };
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE;
  return Math.min(MAX_PAGE, Math.max(1, Math.trunc(limit)));
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
