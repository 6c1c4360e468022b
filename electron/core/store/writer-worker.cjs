// The message log's writer (see off-thread-writer.ts), in two uses:
//  - as a module: createRowWriter() writes RowBatches (message-log.ts packs them) in one transaction. The message
//    log requires it for its own writes on the main thread (tests, and the fallback when the worker is gone).
//  - as the writer thread: off-thread-writer.ts starts this same text (eval: a worker cannot be started from a file
//    inside the packaged app's asar archive) with workerData.role = 'apiary-store-writer'.
// Plain CommonJS on purpose: it runs unchanged from the sources (tests) and from dist/ (tsc copies it, allowJs).
// Everything it must agree on with message-log.ts comes in `spec`: the INSERT built from WRITTEN_COLUMNS, where
// the payload and the topic key sit in a row, the topic-key SQL. It only writes, so none of the read quirks that
// store/sqlite.ts hides apply here.
const workerThreads = require('node:worker_threads');

const KINDS = ['json', 'text', 'binary'];

/**
 * A writer of RowBatches on `db` (libsql, or store/sqlite.ts's wrapper: both have exec, prepare().run/get).
 * A batch is columns, not a row object each (message-log.ts prepareRows): one params array is refilled per row.
 */
function createRowWriter(db, spec) {
  // Rows go in groups of ROWS_PER_INSERT with one multi-row INSERT: each statement call into the binding costs
  // about as much as SQLite's own work for a row (a 100-byte message: 7.1 µs a row one by one, 3.7 in groups of
  // 50, test/bench). A group of one profile without MQTT 5 properties (nearly all) takes the lean INSERT of
  // spec.lean (message-log.ts: its id and profile bound once); any other group the full one; the rows left over
  // after the last full group go one by one.
  const ROWS_PER_INSERT = 50;
  const tuple = `(${new Array(spec.columns).fill('?').join(', ')})`;
  const insertOne = db.prepare(spec.insert);
  const insertGroup = db.prepare(`${spec.insert}${`, ${tuple}`.repeat(ROWS_PER_INSERT - 1)}`);
  const slots = spec.lean.slots;
  const slot = Object.fromEntries(slots.map((name, i) => [name, i]));
  const leanRow = (r) =>
    spec.lean.row.replace(/\$(\w+)/g, (_, name) =>
      name === 'id' ? '?1' : name === 'profile' ? '?2' : name === 'r' ? String(r) : `?${3 + r * slots.length + slot[name]}`,
    );
  const insertLean = db.prepare(`${spec.lean.head} ${Array.from({ length: ROWS_PER_INSERT }, (_, r) => leanRow(r)).join(', ')}`);
  const ensureTopic = db.prepare(spec.topicKey.ensure);
  const topicKey = db.prepare(spec.topicKey.get);
  const groupParams = new Array(spec.columns * ROWS_PER_INSERT).fill(null);
  const leanParams = new Array(2 + slots.length * ROWS_PER_INSERT).fill(null);
  const oneParams = new Array(spec.columns).fill(null);

  /**
   * Topic keys this connection has committed, per profile (profile id → topic → key), so a row costs a lookup in
   * a Map and not two in SQLite. Keys are never deleted from the topics table, so a remembered key stays
   * valid. Bounded: past MAX_KEYS it starts over (the keys are looked up again, nothing is lost).
   */
  const MAX_KEYS = 20000;
  let keys = new Map();
  let keyCount = 0;
  let fresh = []; // [profile, topic, key] found in the open transaction: remembered once it commits

  function keyOf(profile, topic) {
    const known = keys.get(profile)?.get(topic);
    if (known !== undefined) return known;
    ensureTopic.run(profile, topic);
    const key = topicKey.get(profile, topic).key;
    fresh.push([profile, topic, key]);
    return key;
  }

  function remember() {
    if (keyCount + fresh.length > MAX_KEYS) {
      keys = new Map();
      keyCount = 0;
    }
    for (const [profile, topic, key] of fresh) {
      let topics = keys.get(profile);
      if (!topics) keys.set(profile, (topics = new Map()));
      if (!topics.has(topic)) keyCount++;
      topics.set(topic, key);
    }
    fresh = [];
  }

  // in the order of message-log.ts WRITTEN_COLUMNS (spec.at gives each column's place)
  const at = spec.at;
  /** row i of batch b (its payload is payloads[start, end)) into params from offset o */
  function fill(params, o, b, i, payloads, start, end) {
    const profile = b.profiles[b.profileOf[i]];
    const topic = b.topics[i];
    const flags = b.flags[i];
    params[o + at.id] = b.firstId + i;
    params[o + at.profile_id] = profile;
    params[o + at.topic] = topic;
    params[o + at.received_at] = b.receivedAt[i];
    params[o + at.qos] = flags & 3;
    params[o + at.retain] = (flags >> 2) & 1;
    params[o + at.size] = b.sizes[i];
    params[o + at.stored_bytes] = end - start;
    params[o + at.kind] = KINDS[b.kinds[i]];
    params[o + at.over_cap] = (flags >> 3) & 1;
    params[o + at.own] = (flags >> 4) & 1;
    params[o + at.payload] = payloads.subarray(start, end);
    params[o + at.props] = b.props ? b.props[i] : null;
    params[o + at.topic_key] = keyOf(profile, topic);
  }

  /** where row i's payload starts in batch b's payloads (row i ends at ends[i]) */
  function startOf(b, i) {
    return i === 0 ? 0 : b.ends[i - 1];
  }

  /** rows [from, from + ROWS_PER_INSERT) of batch b with the lean INSERT: one profile, no MQTT 5 properties */
  function fillLean(b, from, payloads) {
    const profile = b.profiles[b.profileOf[from]];
    leanParams[0] = b.firstId + from;
    leanParams[1] = profile;
    let start = startOf(b, from);
    for (let r = 0; r < ROWS_PER_INSERT; r++) {
      const i = from + r;
      const end = b.ends[i];
      const o = 2 + r * slots.length;
      leanParams[o + slot.topic] = b.topics[i];
      leanParams[o + slot.topic_key] = keyOf(profile, b.topics[i]);
      leanParams[o + slot.received_at] = b.receivedAt[i];
      leanParams[o + slot.bits] = b.flags[i] | (b.kinds[i] << 5);
      leanParams[o + slot.size] = b.sizes[i];
      leanParams[o + slot.payload] = payloads.subarray(start, end);
      start = end;
    }
  }

  function leanGroup(b, from) {
    const p = b.profileOf[from];
    for (let i = from; i < from + ROWS_PER_INSERT; i++) {
      if (b.profileOf[i] !== p || (b.props && b.props[i] !== null)) return false;
    }
    return true;
  }

  function writeBatch(b) {
    const payloads = Buffer.from(b.payloads.buffer, b.payloads.byteOffset, b.payloads.byteLength);
    const grouped = b.n - (b.n % ROWS_PER_INSERT);
    for (let from = 0; from < grouped; from += ROWS_PER_INSERT) {
      if (leanGroup(b, from)) {
        fillLean(b, from, payloads);
        insertLean.run(leanParams);
        continue;
      }
      let start = startOf(b, from);
      for (let r = 0; r < ROWS_PER_INSERT; r++) {
        const end = b.ends[from + r];
        fill(groupParams, r * spec.columns, b, from + r, payloads, start, end);
        start = end;
      }
      insertGroup.run(groupParams);
    }
    let start = startOf(b, grouped);
    for (let i = grouped; i < b.n; i++) {
      const end = b.ends[i];
      fill(oneParams, 0, b, i, payloads, start, end);
      insertOne.run(oneParams);
      start = end;
    }
  }

  return {
    /** The batches in one transaction. BEGIN/COMMIT by hand: libsql's transaction() hides a disk-full error behind its own failed ROLLBACK. */
    write(batches) {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const b of batches) writeBatch(b);
        db.exec('COMMIT');
        remember();
      } catch (e) {
        fresh = []; // rolled back: those keys may not exist
        if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      } finally {
        // the params hold views of the batches' payloads: let those go with the batches
        groupParams.fill(null);
        leanParams.fill(null);
        oneParams.fill(null);
      }
    },
  };
}

module.exports = { createRowWriter, KINDS };

if (!workerThreads.isMainThread && workerThreads.workerData && workerThreads.workerData.role === 'apiary-store-writer') {
  runWriterThread(workerThreads.parentPort, workerThreads.workerData);
}

function runWriterThread(parentPort, workerData) {
  const Database = require(workerData.sqlite);
  const db = new Database(workerData.file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // Checkpoint every ~16 MB of WAL rather than SQLite's 4 MB: under a flood the same index pages are written
  // again and again, and each checkpoint copies them back to the database (readers are unaffected).
  db.pragma('wal_autocheckpoint = 4000');
  const writer = createRowWriter(db, workerData.spec);

  /**
   * Group commit, sized by load: batches that arrive while a commit is due are written in one transaction.
   * A commit costs a WAL write of every page it dirtied, and a topic index over thousands of topics dirties
   * about one page a row, so 750-row transactions cost twice as much a row as 5,000-row ones (test/bench).
   * Batches wait at most GROUP_MS, less when GROUP_ROWS are waiting or a reader asks (a 'flush': settled()).
   */
  const GROUP_ROWS = 5000;
  const GROUP_MS = 200;
  let waiting = []; // batches received, not committed yet
  let waitingRows = 0;
  let timer = null;

  function commit() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return;
    const messages = waiting;
    waiting = [];
    waitingRows = 0;
    // one answer for the group: the newest seq in it, and how many batches it answers
    const seq = messages[messages.length - 1].seq;
    try {
      writer.write(messages.map((m) => m.batch));
      let n = 0;
      let bytes = 0;
      for (const m of messages) {
        n += m.batch.n;
        bytes += m.batch.bytes;
      }
      parentPort.postMessage({ type: 'ok', seq, batches: messages.length, n, bytes });
    } catch (e) {
      parentPort.postMessage({ type: 'error', seq, batches: messages.length, message: String((e && e.message) || e) });
    }
  }

  parentPort.on('message', (m) => {
    if (m.type === 'close') {
      commit();
      db.close();
      parentPort.postMessage({ type: 'closed' });
      return;
    }
    if (m.type === 'flush') {
      commit();
      return;
    }
    waiting.push(m);
    waitingRows += m.batch.n;
    if (waitingRows >= GROUP_ROWS) commit();
    else if (!timer) timer = setTimeout(commit, GROUP_MS);
  });
}
