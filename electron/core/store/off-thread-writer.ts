import { Worker } from 'node:worker_threads';
import type { Logger } from '../platform.js';
import type { MessageLog, NewMessage } from './message-log.js';
import { sqliteModulePath } from './sqlite.js';

/**
 * The message log's INSERTs on a worker thread. SQLite was ~40% of the ingest thread's CPU (test/bench,
 * `--profile`); here the ingest thread only validates rows and assigns ids (the UI needs them at once),
 * and a second core commits. Reads stay on the main connection (WAL) and wait for `settled()` so a query
 * always sees what the UI was already shown. If the worker dies, writes fall back to this thread.
 */

// Self-contained (no TypeScript, no project imports), so it runs the same from sources in tests and from
// dist/ in the app. The SQLite binding's resolved path comes in workerData; the worker only writes, so
// none of the row quirks that store/sqlite.ts hides apply here.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare('INSERT INTO messages (id, profile_id, topic, received_at, qos, retain, size, stored_bytes, kind, over_cap, own, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
// BEGIN/COMMIT by hand: libsql's transaction() hides a disk-full error behind its own failed ROLLBACK
const insertAll = { immediate(rows) {
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const r of rows) {
      const p = r[11];
      r[11] = Buffer.from(p.buffer, p.byteOffset, p.byteLength);
      insert.run(r);
    }
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw e;
  }
} };
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    db.close();
    parentPort.postMessage({ type: 'closed' });
    return;
  }
  try {
    insertAll.immediate(m.rows);
    parentPort.postMessage({ type: 'ok', seq: m.seq, n: m.rows.length, bytes: m.bytes });
  } catch (e) {
    parentPort.postMessage({ type: 'error', seq: m.seq, message: String((e && e.message) || e) });
  }
});
`;

type Reply =
  | { type: 'ok'; seq: number; n: number; bytes: number }
  | { type: 'error'; seq: number; message: string }
  | { type: 'closed' };

export class OffThreadWriter {
  private readonly worker: Worker;
  private seq = 0;
  private inFlight = 0;
  /** the seq of the newest batch the worker answered (it answers in order) */
  private answered = 0;
  /** each waits for the batches handed over before it asked, not for any that came after */
  private waiters: { upTo: number; resolve: () => void }[] = [];
  private failed: string | null = null;
  private closing: Promise<void> | null = null;
  /** the last write error ("messages are not being stored: …"), null once writes succeed again */
  lastError: string | null = null;

  constructor(
    private readonly log: MessageLog,
    file: string,
    private readonly logger: Logger,
  ) {
    const sqlite = sqliteModulePath();
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, sqlite } });
    this.worker.unref();
    this.worker.on('message', (reply: Reply) => this.receive(reply));
    this.worker.on('error', (err) => this.fallBack(`the store writer failed: ${err.message}`));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fallBack(`the store writer stopped (exit ${code})`);
    });
  }

  /** The ingest path's sink: ids now, the commit on the worker. */
  insertBatch(rows: NewMessage[]): number[] {
    if (this.failed) return this.log.insertBatch(rows);
    const { ids, tuples, bytes } = this.log.prepareRows(rows);
    if (ids.length === 0) return ids;
    if (this.lastError) {
      // While writes fail (disk full), write here: a failure then throws to the ingest path, whose messages
      // get local ids — never an id the store does not hold. The first success goes back to the worker.
      this.log.writeRows(tuples, bytes);
      this.logger.info('message store writable again');
      this.lastError = null;
      return ids;
    }
    this.inFlight++;
    this.worker.postMessage({ type: 'batch', seq: ++this.seq, rows: tuples, bytes });
    return ids;
  }

  /**
   * Resolves once every batch handed over so far is committed (or has failed). Only those: under a steady
   * flood there is always a newer batch in flight, and waiting for none at all never came (the topic history
   * and the store's stats stayed "loading…").
   */
  settled(): Promise<void> {
    if (this.inFlight === 0 || this.answered >= this.seq) return Promise.resolve();
    const upTo = this.seq;
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.settled();
      if (this.failed) return;
      const closed = new Promise<void>((resolve) => {
        this.worker.once('exit', () => resolve());
        this.worker.on('message', (r: Reply) => r.type === 'closed' && void this.worker.terminate());
      });
      this.worker.postMessage({ type: 'close' });
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    })();
    return this.closing;
  }

  private receive(reply: Reply): void {
    if (reply.type === 'closed') return;
    this.inFlight--;
    this.answered = reply.seq;
    if (reply.type === 'ok') {
      try {
        this.log.committed(reply.n, reply.bytes);
      } catch (err) {
        // retention could not trim this time (busy, full disk): it tries again on the next commit
        this.logger.warn(`message log retention: ${(err as Error).message}`);
      }
      if (this.lastError) this.logger.info('message store writable again');
      this.lastError = null;
    } else {
      const message = `messages are not being stored: ${reply.message}`;
      if (message !== this.lastError) this.logger.error(message);
      this.lastError = message;
    }
    this.release(this.inFlight === 0 ? Infinity : this.answered);
  }

  private fallBack(reason: string): void {
    if (this.failed) return;
    this.failed = reason;
    this.logger.warn(`${reason}: writing messages on the main thread from now on`);
    this.inFlight = 0;
    this.release(Infinity);
  }

  /** Wakes the waiters whose batches are all answered (every one, with Infinity). */
  private release(answered: number): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.upTo <= answered);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.upTo > answered);
    for (const w of ready) w.resolve();
  }
}
