import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../platform.js';
import { WRITER_SPEC, type MessageLog, type NewMessage } from './message-log.js';
import { sqliteModulePath } from './sqlite.js';

/**
 * The message log's INSERTs on a worker thread. SQLite was ~40% of the ingest thread's CPU (test/bench,
 * `--profile`); here the ingest thread only validates rows and assigns ids (the UI needs them at once),
 * and a second core commits. Reads stay on the main connection (WAL) and wait for `settled()` so a query
 * always sees what the UI was already shown. If the worker dies, writes fall back to this thread.
 */

/** The worker's source, beside this module in the sources (tests) and in dist/ (tsc copies it, allowJs). */
const WORKER_FILE = new URL('./writer-worker.cjs', import.meta.url);

type Reply =
  // one answer per group commit: `batches` batches, the newest of them `seq`
  | { type: 'ok'; seq: number; batches: number; n: number; bytes: number }
  | { type: 'error'; seq: number; batches: number; message: string }
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
  /** a flush was asked for and not answered yet: one is enough for every reader waiting */
  private flushAsked = false;
  /** the batches handed over and not answered, oldest first: what the store's lag is made of */
  private unanswered: { seq: number; rows: number; at: number }[] = [];
  private unansweredRows = 0;
  private closing: Promise<void> | null = null;
  /** the last write error ("messages are not being stored: …"), null once writes succeed again */
  lastError: string | null = null;

  constructor(
    private readonly log: MessageLog,
    file: string,
    private readonly logger: Logger,
  ) {
    const sqlite = sqliteModulePath();
    // started from its text: fs reads into the packaged app's asar archive, a Worker given a path there does not
    this.worker = new Worker(readFileSync(WORKER_FILE, 'utf8'), {
      eval: true,
      workerData: { role: 'apiary-store-writer', file, sqlite, spec: WRITER_SPEC },
    });
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
    const { ids, batch } = this.log.prepareRows(rows);
    if (ids.length === 0) return ids;
    if (this.lastError) {
      // While writes fail (disk full), write here: a failure then throws to the ingest path, whose messages
      // get local ids — never an id the store does not hold. The first success goes back to the worker.
      this.log.writeRows(batch);
      this.logger.info('message store writable again');
      this.lastError = null;
      return ids;
    }
    this.inFlight++;
    // the payloads' buffer is moved, not copied: the batch is the worker's now
    this.worker.postMessage({ type: 'batch', seq: ++this.seq, batch }, [batch.payloads.buffer as ArrayBuffer]);
    this.unanswered.push({ seq: this.seq, rows: batch.n, at: Date.now() });
    this.unansweredRows += batch.n;
    return ids;
  }

  /**
   * Resolves once every batch handed over so far is committed (or has failed). Only those: under a steady
   * flood there is always a newer batch in flight, and waiting for none at all never came (the topic history
   * and the store's stats stayed "loading…").
   */
  settled(maxWaitMs?: number): Promise<void> {
    if (this.inFlight === 0 || this.answered >= this.seq) return Promise.resolve();
    const upTo = this.seq;
    // the worker groups batches into one commit for up to 200 ms: a reader is waiting, commit now
    if (!this.failed && !this.flushAsked) {
      this.flushAsked = true;
      this.worker.postMessage({ type: 'flush' });
    }
    const settled = new Promise<void>((resolve) => this.waiters.push({ upTo, resolve }));
    if (maxWaitMs === undefined) return settled;
    // a reader that would rather answer from what is committed than wait for a writer far behind
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxWaitMs)));
    return Promise.race([settled, late]).finally(() => clearTimeout(timer));
  }

  /**
   * How far the store is behind what ingest handed it: rows not committed yet, and how long the oldest of
   * them has waited (ms). Zero when everything is committed. A group commit waits up to 200 ms by design.
   */
  lag(now = Date.now()): { messages: number; ms: number } {
    const oldest = this.unanswered[0];
    return { messages: this.unansweredRows, ms: oldest ? Math.max(0, now - oldest.at) : 0 };
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
    this.inFlight -= reply.batches;
    this.answered = reply.seq;
    this.flushAsked = false;
    while (this.unanswered.length && this.unanswered[0]!.seq <= reply.seq) this.unansweredRows -= this.unanswered.shift()!.rows;
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
    this.unanswered = [];
    this.unansweredRows = 0;
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
