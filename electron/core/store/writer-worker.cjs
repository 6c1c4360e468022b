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
const insert = db.prepare(workerData.insert);
const payloadAt = workerData.payloadColumn;

/** One batch, one transaction. BEGIN/COMMIT by hand: libsql's transaction() hides a disk-full error behind its own failed ROLLBACK. */
function writeAll(rows) {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const row of rows) {
      const p = row[payloadAt]; // structured clone turned the Buffer into a Uint8Array
      row[payloadAt] = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
      insert.run(row);
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
}

parentPort.on('message', (m) => {
  if (m.type === 'close') {
    db.close();
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  try {
    writeAll(m.rows);
    parentPort.postMessage({ type: 'ok', seq: m.seq, n: m.rows.length, bytes: m.bytes });
  } catch (e) {
    parentPort.postMessage({ type: 'error', seq: m.seq, message: String((e && e.message) || e) });
  }
});
