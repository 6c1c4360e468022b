import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CSV_COLUMNS,
  exportMessages,
  MessageLog,
  openDatabase,
  Outbox,
  parseCsv,
  type NewMessage,
} from '../../electron/core/store/index.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-store-it-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
const tricky = 'he said "hi, there"\r\nand left,\nthen "came back"';

function seed(log: MessageLog, n: number): number[] {
  const rows: NewMessage[] = [];
  for (let i = 0; i < n; i++) {
    const topic = `dev/${i % 3}/temp`;
    const j = i % 4;
    if (j === 0)
      rows.push({
        profileId: 'p1',
        topic,
        receivedAt: T0 + i,
        qos: 1,
        retain: false,
        kind: 'json',
        payload: Buffer.from(JSON.stringify({ data: { t: i, note: tricky }, write: true })),
      });
    else if (j === 1)
      rows.push({
        profileId: 'p1',
        topic,
        receivedAt: T0 + i,
        qos: 0,
        retain: true,
        kind: 'text',
        payload: Buffer.from(`${tricky} #${i}`),
      });
    else if (j === 2)
      rows.push({
        profileId: 'p1',
        topic,
        receivedAt: T0 + i,
        qos: 0,
        retain: false,
        kind: 'binary',
        payload: Buffer.from([0, 255, i % 256, 10, 13, 44, 34]),
      });
    else
      rows.push({
        profileId: 'p2',
        topic,
        receivedAt: T0 + i,
        qos: 0,
        retain: false,
        kind: 'json',
        payload: Buffer.from(String(i)),
      });
  }
  return log.insertBatch(rows);
}

describe('store on a real file', () => {
  it('keeps the outbox across close and reopen, in order', () => {
    const file = path.join(dir, 'outbox.db');
    const first = openDatabase(file);
    const outbox = new Outbox(first);
    for (let i = 0; i < 5; i++) {
      outbox.enqueue({ profileId: 'cloud', topic: `ch/r${i}`, payload: Buffer.from(`{"data":${i}}`), qos: 1, retain: i === 4 });
    }
    outbox.remove(outbox.peek('cloud', 1)[0]!.id); // the first one was delivered before the "crash"
    first.close();

    const second = openDatabase(file);
    const reopened = new Outbox(second);
    const items = reopened.peek('cloud', 100);
    expect(items.map((m) => m.topic)).toEqual(['ch/r1', 'ch/r2', 'ch/r3', 'ch/r4']);
    expect(items.map((m) => m.payload.toString())).toEqual(['{"data":1}', '{"data":2}', '{"data":3}', '{"data":4}']);
    expect(items.at(-1)!.retain).toBe(true);
    expect(reopened.count('cloud')).toBe(4);
    second.close();
  });

  describe('export', () => {
    const db = openDatabase(path.join(dir, 'export.db'));
    const log = new MessageLog(db);
    const ids = seed(log, 1203); // > 2 pages of 500
    afterAll(() => db.close());
    const p1 = ids.filter((_, i) => i % 4 !== 3);

    it('writes NDJSON that parses line by line, oldest first, with decoded data', async () => {
      const file = path.join(dir, 'out.ndjson');
      const progress: [number, number][] = [];
      const result = await exportMessages(
        log,
        { profileId: 'p1' },
        { format: 'ndjson', file, onProgress: (d, t) => progress.push([d, t]) },
      );
      expect(result.count).toBe(p1.length);
      expect(result.bytes).toBe(fs.statSync(file).size);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(records.map((r) => r.id)).toEqual(p1);
      expect(records[0]).toEqual({
        id: ids[0],
        profile: 'p1',
        topic: 'dev/0/temp',
        received_at: '2024-01-02T03:04:05.678Z',
        qos: 1,
        retain: false,
        size: Buffer.byteLength(JSON.stringify({ data: { t: 0, note: tricky }, write: true })),
        kind: 'json',
        payload: JSON.stringify({ data: { t: 0, note: tricky }, write: true }),
        over_cap: false,
        data: { t: 0, note: tricky },
      });
      expect(Buffer.from(records[2]!.payload as string, 'base64')).toEqual(Buffer.from([0, 255, 2, 10, 13, 44, 34]));
      expect(progress[0]).toEqual([0, p1.length]);
      expect(progress.at(-1)).toEqual([p1.length, p1.length]);
      for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0]);
      expect(fs.existsSync(`${file}.partial`)).toBe(false);
    });

    it('writes one JSON array, valid also when nothing matches', async () => {
      const file = path.join(dir, 'out.json');
      const result = await exportMessages(log, { topicFilter: 'dev/1/+' }, { format: 'json', file });
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { topic: string; id: number }[];
      expect(parsed).toHaveLength(result.count);
      expect(result.count).toBe(ids.filter((_, i) => i % 3 === 1).length);
      expect(new Set(parsed.map((r) => r.topic))).toEqual(new Set(['dev/1/temp']));
      const empty = await exportMessages(
        log,
        { topicFilter: 'no/such/+' },
        { format: 'json', file: path.join(dir, 'empty.json') },
      );
      expect(empty.count).toBe(0);
      expect(JSON.parse(fs.readFileSync(empty.file, 'utf8'))).toEqual([]);
    });

    it('writes CSV that round-trips quotes, commas and newlines', async () => {
      const file = path.join(dir, 'out.csv');
      const result = await exportMessages(log, { profileId: 'p1', text: 'came back' }, { format: 'csv', file });
      const records = parseCsv(fs.readFileSync(file, 'utf8'));
      expect(records[0]).toEqual([...CSV_COLUMNS]);
      const body = records.slice(1);
      expect(body).toHaveLength(result.count);
      expect(result.count).toBe(ids.filter((_, i) => i % 4 === 0 || i % 4 === 1).length);
      const col = (name: (typeof CSV_COLUMNS)[number]): number => CSV_COLUMNS.indexOf(name);
      const text = body.find((r) => r[col('kind')] === 'text')!;
      expect(text[col('payload')]).toBe(`${tricky} #1`);
      expect(text[col('retain')]).toBe('true');
      expect(text[col('data')]).toBe('');
      const json = body[0]!;
      expect(json[col('received_at')]).toBe('2024-01-02T03:04:05.678Z');
      expect(JSON.parse(json[col('data')]!)).toEqual({ t: 0, note: tricky });
      expect(JSON.parse(json[col('payload')]!)).toEqual({ data: { t: 0, note: tricky }, write: true });
    });

    it('fails with a clear error and leaves no partial file when the target cannot be written', async () => {
      const file = path.join(dir, 'missing-folder', 'out.csv');
      await expect(exportMessages(log, {}, { format: 'csv', file })).rejects.toThrow(
        new RegExp(`^cannot write the export to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`),
      );
      expect(fs.existsSync(`${file}.partial`)).toBe(false);
      await expect(exportMessages(log, {}, { format: 'xml' as 'csv', file })).rejects.toThrow(/choose csv, json or ndjson/);
    });
  });

  it('survives a SIGKILL mid-write with every committed batch whole', async () => {
    const build = path.join(dir, 'build');
    transpileStore(build);
    const file = path.join(dir, 'killed.db');
    const child = spawn(process.execPath, [path.join(build, 'writer.js'), file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const committed: number[] = [];
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`writer did not commit 30 batches in time: ${stderr}`)), 20_000);
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) if (line.startsWith('committed ')) committed.push(Number(line.slice(10)));
        if (committed.length >= 30) {
          clearTimeout(timer);
          child.kill('SIGKILL'); // mid-stream: the writer never stops on its own
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        if (committed.length < 30) reject(new Error(`writer exited early (${code}): ${stderr}`));
      });
    });
    await exited;
    expect(child.signalCode).toBe('SIGKILL');

    const db = openDatabase(file);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const batches = db.prepare('SELECT topic, count(*) AS n FROM messages GROUP BY topic').all() as {
      topic: string;
      n: number;
    }[];
    const counts = new Map(batches.map((b) => [Number(b.topic.split('/')[1]), b.n]));
    for (const batch of committed) expect(counts.get(batch)).toBe(100);
    for (const n of counts.values()) expect(n).toBe(100); // no half batch, ever
    expect(new MessageLog(db).stats().count).toBe(counts.size * 100);
    db.close();
  });
});

/** Node 20 cannot run .ts: transpile the store (and what it imports) for the child process. */
function transpileStore(out: string): void {
  const files = [
    ...fs.readdirSync(path.join(repo, 'electron/core/store')).map((f) => `electron/core/store/${f}`),
    'electron/core/codecs/decode.ts',
    'electron/common/beebotte-envelope.ts',
    'electron/common/topic-filter.ts',
  ];
  for (const f of files) {
    const js = ts.transpileModule(fs.readFileSync(path.join(repo, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const dest = path.join(out, f.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, js);
  }
  fs.writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(out, 'node_modules'));
  // Writes 100-row batches forever, announcing each after its commit; bounded by the parent's kill
  // and, should the parent vanish, by a batch cap.
  fs.writeFileSync(
    path.join(out, 'writer.js'),
    `import { openDatabase, MessageLog } from './electron/core/store/index.js';
const log = new MessageLog(openDatabase(process.argv[2]));
const payload = Buffer.alloc(4000, 120);
for (let b = 0; b < 100000; b++) {
  const rows = Array.from({ length: 100 }, (_, i) => ({ profileId: 'p', topic: 'batch/' + b, receivedAt: Date.now(), qos: 0, retain: false, payload, kind: 'text' }));
  log.insertBatch(rows);
  process.stdout.write('committed ' + b + '\\n');
}
`,
  );
}
