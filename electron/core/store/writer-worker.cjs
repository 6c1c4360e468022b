// The message log's writer thread (see off-thread-writer.ts). Plain CommonJS on purpose: it must run unchanged
// from the sources (tests) and from dist/ (tsc copies it), and off-thread-writer.ts starts it from its text
// (eval), because a worker cannot be started from a file inside the packaged app's asar archive. It gets everything it must agree on with the main thread in workerData: the SQLite binding's
// resolved path, the database file, the INSERT built from message-log.ts's WRITTEN_COLUMNS, and where the
// payload sits in a row. It only writes, so none of the read quirks that store/sqlite.ts hides apply here.
const { parentPort, workerData } = require('node:worker_threads');

const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// Checkpoint every ~16 MB of WAL rather than SQLite's 4 MB: under a flood the same index pages are written
// again and again, and each checkpoint copies them back to the database (readers are unaffected).
db.pragma('wal_autocheckpoint = 4000');
const insert = db.prepare(workerData.insert);
const payloadAt = workerData.payloadColumn;
const tk = workerData.topicKey;
const ensureTopic = db.prepare(tk.ensure);
const topicKey = db.prepare(tk.get);

/**
 * Topic keys this thread has committed, per profile (profile id → topic → key), so a row costs a lookup in
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

/** BEGIN/COMMIT by hand: libsql's transaction() hides a disk-full error behind its own failed ROLLBACK. */
function writeAll(batches) {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const b of batches) {
      for (const row of b.rows) {
        const p = row[payloadAt]; // structured clone turned the Buffer into a Uint8Array
        row[payloadAt] = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
        row[tk.column] = keyOf(row[tk.profileColumn], row[tk.topicColumn]);
        insert.run(row);
      }
    }
    db.exec('COMMIT');
    remember();
  } catch (e) {
    fresh = []; // rolled back: those keys may not exist
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

function commit() {
  if (timer) clearTimeout(timer);
  timer = null;
  if (waiting.length === 0) return;
  const batches = waiting;
  waiting = [];
  waitingRows = 0;
  // one answer for the group: the newest seq in it, and how many batches it answers
  const seq = batches[batches.length - 1].seq;
  try {
    writeAll(batches);
    let n = 0;
    let bytes = 0;
    for (const b of batches) {
      n += b.rows.length;
      bytes += b.bytes;
    }
    parentPort.postMessage({ type: 'ok', seq, batches: batches.length, n, bytes });
  } catch (e) {
    parentPort.postMessage({ type: 'error', seq, batches: batches.length, message: String((e && e.message) || e) });
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
  waitingRows += m.rows.length;
  if (waitingRows >= GROUP_ROWS) commit();
  else if (!timer) timer = setTimeout(commit, GROUP_MS);
});
