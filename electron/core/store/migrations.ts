/**
 * The schema, as numbered migrations. Append only: never edit a migration that has shipped,
 * add a new one. Each runs once, in its own transaction (see database.ts).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'message log',
    // AUTOINCREMENT: ids never come back after retention or clear(), so a UI's keyset cursor stays valid.
    // payload is the last column so reading the small columns never walks a large blob's overflow pages.
    // stored_bytes = length(payload), kept so retention can sum bytes without reading blobs.
    sql: `
      CREATE TABLE messages (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        profile_id   TEXT    NOT NULL,
        topic        TEXT    NOT NULL,
        received_at  INTEGER NOT NULL,
        qos          INTEGER NOT NULL,
        retain       INTEGER NOT NULL,
        size         INTEGER NOT NULL,
        stored_bytes INTEGER NOT NULL,
        kind         TEXT    NOT NULL CHECK (kind IN ('json', 'text', 'binary')),
        over_cap     INTEGER NOT NULL DEFAULT 0,
        own          INTEGER NOT NULL DEFAULT 0,
        payload      BLOB    NOT NULL
      );
      CREATE INDEX messages_profile_topic ON messages (profile_id, topic, id);
      CREATE INDEX messages_profile ON messages (profile_id, id);
    `,
  },
  {
    version: 2,
    name: 'outbox',
    sql: `
      CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        profile_id  TEXT    NOT NULL,
        topic       TEXT    NOT NULL,
        qos         INTEGER NOT NULL,
        retain      INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        size        INTEGER NOT NULL,
        payload     BLOB    NOT NULL
      );
      CREATE INDEX outbox_profile ON outbox (profile_id, id);
    `,
  },
  {
    version: 3,
    name: 'settings',
    sql: `
      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'outbox dead letters',
    // A queued message the broker keeps closing the connection over is set aside here, never deleted: dead_at
    // and reason say when and why; retry puts it back at the end of the queue (a new id), discard deletes it.
    // The partial index keeps the delivery path's scan (pending rows in order) free of dead ones.
    sql: `
      ALTER TABLE outbox ADD COLUMN dead_at INTEGER;
      ALTER TABLE outbox ADD COLUMN reason TEXT;
      CREATE INDEX outbox_pending ON outbox (profile_id, id) WHERE dead_at IS NULL;
    `,
  },
  {
    version: 5,
    name: 'MQTT 5 properties',
    // props: JSON text of a message's MQTT 5 properties (user properties, content type, correlation data…),
    // NULL when it had none (every MQTT 3.1.1 message): a NULL costs one byte of the row header. The outbox
    // keeps the properties of a queued publish the same way.
    sql: `
      ALTER TABLE messages ADD COLUMN props TEXT;
      ALTER TABLE outbox ADD COLUMN props TEXT;
    `,
  },
  {
    version: 6,
    name: 'QoS 2 in flight',
    // mqtt.js's outgoing store for QoS 2, per profile: the PUBLISH until the broker's PUBREC, then the PUBREL
    // until its PUBCOMP. On the next connect mqtt.js sends them again from here, so a restart mid-handshake
    // neither loses the message nor sends it twice. outbox_id ties a PUBLISH to its outbox row (kept until PUBCOMP).
    sql: `
      CREATE TABLE mqtt_inflight (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        profile_id TEXT    NOT NULL,
        message_id INTEGER NOT NULL,
        outbox_id  INTEGER,
        packet     BLOB    NOT NULL,
        UNIQUE (profile_id, message_id)
      );
    `,
  },
  {
    version: 7,
    name: 'topic keys',
    // The (profile_id, topic, id) index cost ~15 µs a stored message under a flood over thousands of topics:
    // its long text keys land on a different page for nearly every row, and each commit writes every page it
    // dirtied (test/bench/README.md). A topic is now a small integer key (one row per profile and topic ever
    // stored, never deleted, so a key a writer remembers stays valid), and the index is (topic_key, id).
    // A one-time rewrite of the log (6 s for a full 1,000,000-message log on the 2-core test machine, on the first
    // start after the update); reads of a topic's history go through topics.
    sql: `
      CREATE TABLE topics (
        key        INTEGER PRIMARY KEY,
        profile_id TEXT    NOT NULL,
        topic      TEXT    NOT NULL,
        UNIQUE (profile_id, topic)
      );
      CREATE INDEX topics_topic ON topics (topic);
      INSERT INTO topics (profile_id, topic) SELECT DISTINCT profile_id, topic FROM messages;
      ALTER TABLE messages ADD COLUMN topic_key INTEGER;
      UPDATE messages SET topic_key = (SELECT key FROM topics t WHERE t.profile_id = messages.profile_id AND t.topic = messages.topic);
      DROP INDEX messages_profile_topic;
      CREATE INDEX messages_topic_key ON messages (topic_key, id);
    `,
  },
  {
    version: 8,
    name: 'publish history',
    // The composer's publish history was one settings row of JSON (200 entries), rewritten whole on every
    // publish: ~4 ms a call, which capped messages.publish near 100–250 msg/s (test/bench/README.md). Now one row
    // per entry, appended, the oldest trimmed past the bound. The old list (newest first) is carried over oldest
    // first, so seq order is publish order; a damaged value is left behind rather than failing the store's open.
    sql: `
      CREATE TABLE publish_history (
        seq   INTEGER PRIMARY KEY AUTOINCREMENT,
        entry TEXT    NOT NULL
      );
      INSERT INTO publish_history (entry)
        SELECT e.value FROM settings s,
          json_each(CASE WHEN json_valid(s.value) THEN (CASE WHEN json_type(s.value) = 'array' THEN s.value ELSE '[]' END) ELSE '[]' END) e
        WHERE s.key = 'composer.history' AND e.type = 'object'
        ORDER BY e.key DESC;
      DELETE FROM settings WHERE key = 'composer.history';
    `,
  },
  {
    version: 9,
    name: 'topic index by id span',
    // The (topic_key, id) index took ~3.7 of the ~6.8 µs a stored message cost the writer under a flood over
    // 2,000 topics (test/bench/README.md): each row went to the tail of its topic's run, a different page of a
    // large index nearly every time. Led by the message's span of 16,384 consecutive ids (log-query.ts
    // SPAN_SHIFT), a flood's rows all land in the newest span's small part of the index, which stays in cache:
    // 6.8 -> ~3.5 µs a row. A topic's messages are read span by span, newest first (message-log.ts): a topic seen
    // once in a full 1,000,000-message log costs 62 small index lookups. A one-time index build on the first start
    // after the update (0.6 s for a full 1,000,000-message log on the 2-core test machine).
    sql: `
      DROP INDEX messages_topic_key;
      CREATE INDEX messages_topic_span ON messages ((id >> 14), topic_key, id);
    `,
  },
];
