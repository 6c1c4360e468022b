#!/usr/bin/env node
/**
 * Apiary's benchmarks (issue 8). `npm run bench` (full) or `npm run bench -- --quick` (< 60 s).
 *   --only=ingest,outbox,desk   run some scenarios only
 *   --profile[=DIR]             write CPU profiles: the core under flood (node --cpu-prof), the host and
 *                               the renderer during the UI flood (CDP Profiler); summarise them with
 *                               node test/bench/lib/cpuprofile.mjs FILE
 * Prints a table, then as the LAST line one JSON object with every figure. Figures are measured side by
 * side in one run; speeds are ratios to a reference taken minutes apart at most (shared, noisy machine).
 * Nothing here asserts a timing: the goals are shown next to the figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkBuilt } from './lib/dist.mjs';
import { startMosquitto } from './lib/mosquitto.mjs';
import { benchDir, killAllChildren, startChild } from './lib/proc.mjs';
import { round, show, table } from './lib/stats.mjs';
import { runDesk } from './scenarios/desk.mjs';
import { runIngest } from './scenarios/ingest.mjs';
import { runOutbox } from './scenarios/outbox.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
/** --props: the core's flood is MQTT 5 with a user property and a content type on every message (stored with it) */
const props = args.includes('--props');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const profileArg = args.find((a) => a === '--profile' || a.startsWith('--profile='));
const profileDir = profileArg ? (profileArg.includes('=') ? path.resolve(profileArg.split('=')[1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-prof-'))) : null;
const wants = (name) => !only || only.includes(name);
const REQUIRED = [
  'ingest_msgs_per_s', 'raw_msgs_per_s', 'ingest_ratio', 'ui_fps_median', 'ui_longest_task_ms', 'ui_input_p95_ms', 'core_rss_mb',
  'renderer_heap_mb', 'large_1mb_show_ms', 'large_10mb_show_ms', 'startup_ms', 'sandbox_vs_mosquitto', 'outbox_drain_msgs_per_s',
];
const t00 = Date.now();
const log = (line) => process.stderr.write(`[${((Date.now() - t00) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

const settings = quick
  ? { rounds: 1, seconds: 2, warmupMs: 600, outboxCount: 3000, uiSeconds: 5, memCount: 100_000, memRate: 25_000 }
  : { rounds: 3, seconds: 6, warmupMs: 1000, outboxCount: 10_000, uiSeconds: 15, memCount: 1_000_000, memRate: 20_000 };

// every figure the issue names is in the JSON, null when its scenario did not run or failed
const figures = Object.fromEntries(REQUIRED.map((k) => [k, null]));
const notes = [];

// every loop here is bounded, and this is the last bound: the whole run. Past it, the figures taken so far
// are still reported (table and JSON line), with a note saying the run was cut.
const overall = setTimeout(() => {
  log('bench: over its time limit; stopping');
  killAllChildren();
  notes.push('the run hit its overall time limit: scenarios still running were cut, their figures are null');
  finish(figures, notes);
  process.exit(3);
}, (quick ? 300 : 1200) * 1000);
overall.unref();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (killAllChildren(), process.exit(130)));

async function main() {
  const problem = checkBuilt();
  if (problem) throw new Error(problem);
  const attempt = async (name, fn) => {
    try {
      await fn();
    } catch (err) {
      notes.push(`${name} failed: ${String(err.message ?? err).split('\n')[0]}`);
      log(`${name} failed: ${err.stack ?? err}`);
    }
  };
  const broker = await startMosquitto();
  let sandbox = null;
  try {
    if (wants('ingest')) await attempt('ingest', async () => {
      log(`ingest + sandbox: ${settings.rounds} round(s) of ${settings.seconds} s floods (QoS 0, 100 B, 1,000 topics)`);
      sandbox = startChild(path.join(benchDir, 'children', 'sandbox-broker.mjs'), {}, { maxMs: 600_000 });
      const ready = await sandbox.waitFor((m) => m.type === 'ready', 30_000, 'ready');
      const r = await runIngest({ broker, sandbox: { url: ready.mqtt, token: ready.token }, ...settings, profileDir, log, props });
      Object.assign(figures, {
        ingest_msgs_per_s: round(r.core),
        raw_msgs_per_s: round(r.raw),
        ingest_ratio: round(r.ratio, 3),
        ingest_cpu_us_per_msg: round(r.coreCpu, 1),
        raw_cpu_us_per_msg: round(r.rawCpu, 1),
        // the noise-robust view: what the ratio would be if both had a whole core, and the core's rate then
        ingest_cpu_ratio: round(r.rawCpu / r.coreCpu, 3),
        ingest_msgs_per_cpu_s: round(1e6 / r.coreCpu),
        flood_offered_msgs_per_s: round(r.offered),
        sandbox_msgs_per_s: round(r.sandbox),
        sandbox_vs_mosquitto: round(r.sandboxRatio, 3),
      });
      await sandbox.stop();
      sandbox = null;
    });
    if (wants('outbox')) await attempt('outbox', async () => {
      log(`outbox: ${settings.outboxCount.toLocaleString('en-US')} QoS 1 messages queued offline, then connect`);
      const o = await runOutbox({ broker, count: settings.outboxCount });
      Object.assign(figures, {
        outbox_drain_msgs_per_s: round(o.rate),
        outbox_messages: o.queued,
        outbox_delivered: o.delivered,
        outbox_queue_ms: round(o.queueMs),
      });
      if (o.delivered < o.queued) notes.push(`outbox: only ${o.delivered} of ${o.queued} arrived at the witness subscriber`);
    });
    if (wants('desk')) await attempt('desk', async () => {
      log('desk: headless host + Chromium');
      const d = await runDesk({ broker, quick, ...settings, profileDir, log });
      Object.assign(figures, {
        startup_ms: d.startup.startupMs,
        startup_url_ms: d.startup.urlMs,
        ui_fps_median: round(d.ui.fpsMedian, 1),
        ui_fps_min: round(d.ui.fpsMin, 1),
        ui_longest_task_ms: round(d.ui.longestTaskMs),
        ui_long_tasks: d.ui.longTasks,
        ui_input_p95_ms: round(d.ui.inputP95),
        ui_typing_p95_ms: round(d.ui.typingP95),
        ui_tree_expand_p95_ms: round(d.ui.treeP95),
        ui_inputs: d.ui.inputs,
        ui_messages_stored: d.ui.arrived,
        core_rss_mb: round(d.memory.coreRssMb, 1),
        core_rss_peak_mb: round(d.memory.coreRssPeakMb, 1),
        core_rss_growth_mb: round(d.memory.coreRssGrowthMb, 1),
        renderer_heap_mb: round(d.memory.heapMb, 1),
        renderer_heap_peak_mb: round(d.memory.heapPeakMb, 1),
        renderer_heap_growth_mb: round(d.memory.heapGrowthMb, 1),
        memory_messages: d.memory.stored,
        large_1mb_show_ms: d.large1.showMs,
        large_1mb_row_ms: d.large1.rowMs,
        large_1mb_longest_task_ms: round(d.large1.longestTaskMs),
        large_10mb_show_ms: d.large10.showMs,
        large_10mb_row_ms: d.large10.rowMs,
        large_10mb_longest_task_ms: round(d.large10.longestTaskMs),
      });
      if (d.ui.typingNa) notes.push(`typing latency n/a: ${d.ui.typingNa}`);
      if (d.ui.treeNa) notes.push(`tree expand latency n/a: ${d.ui.treeNa}`);
      if (d.large1.na) notes.push(`large 1 MB: ${d.large1.na}`);
      if (d.large10.na) notes.push(`large 10 MB: ${d.large10.na}`);
      figures.memory_samples = d.memory.samples;
    });
  } finally {
    await sandbox?.stop();
    await broker.stop();
  }
  finish(figures, notes);
}

function finish(f, notes) {
  f.mode = quick ? 'quick' : 'full';
  f.seconds = round((Date.now() - t00) / 1000, 1);
  f.machine = `${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join('/')}, Node ${process.versions.node}`;
  f.date = new Date().toISOString().slice(0, 10);
  if (profileDir) f.profile_dir = profileDir;
  report(f, notes);
}

function verdict(value, ok) {
  if (value === null || value === undefined) return 'n/a';
  return ok ? 'yes' : 'NO';
}

function report(f, notes) {
  const rows = [];
  const add = (name, value, unit, goal, ok, note) => rows.push([name, show(value, unit), goal, goal ? verdict(value, ok) : '', note]);
  if (f.raw_msgs_per_s !== null) {
    add('raw mqtt.js subscriber', f.raw_msgs_per_s, 'msg/s', '', true, `reference; ${show(f.raw_cpu_us_per_msg)} µs CPU/msg; flood offered ${show(f.flood_offered_msgs_per_s)}/s`);
    add('Apiary core ingest', f.ingest_msgs_per_s, 'msg/s', '≥ 50,000', f.ingest_msgs_per_s >= 50_000, `decode+SQLite+explorer+alert rule+UI batches; ${show(f.ingest_cpu_us_per_msg)} µs CPU/msg`);
    add('ingest ratio (core / raw)', f.ingest_ratio, '', '≥ 0.8', f.ingest_ratio >= 0.8, 'median of per-round ratios');
    add('ingest CPU ratio', f.ingest_cpu_ratio, '', '', true, `raw µs/msg ÷ core µs/msg; one whole core would ingest ${show(f.ingest_msgs_per_cpu_s)} msg/s`);
    add('sandbox broker', f.sandbox_msgs_per_s, 'msg/s', '', true, 'same flood, bare subscriber, embedded sandbox (aedes) instead of Mosquitto');
    add('sandbox vs mosquitto', f.sandbox_vs_mosquitto, '', '', true, 'ratio of delivered rates');
  }
  if (f.outbox_drain_msgs_per_s !== null) {
    add('outbox drain', f.outbox_drain_msgs_per_s, 'msg/s', '', true, `${show(f.outbox_messages)} QoS 1 queued offline (in ${show(f.outbox_queue_ms)} ms), ${show(f.outbox_delivered)} delivered`);
  }
  if (f.startup_ms !== null) {
    add('startup', f.startup_ms, 'ms', '', true, `host spawn → first demo reading on screen (URL after ${show(f.startup_url_ms)} ms)`);
    add('UI fps under flood', f.ui_fps_median, 'fps', '≥ 50', f.ui_fps_median >= 50, `10,000 msg/s offered, 10,000 topics, ${show(f.ui_messages_stored)} stored meanwhile; min ${show(f.ui_fps_min)}`);
    add('UI longest task', f.ui_longest_task_ms, 'ms', '≤ 200', f.ui_longest_task_ms <= 200, `${show(f.ui_long_tasks)} long tasks (> 50 ms)`);
    add('UI input latency p95', f.ui_input_p95_ms, 'ms', '< 100', f.ui_input_p95_ms < 100, `typing ${show(f.ui_typing_p95_ms)} ms, tree expand ${show(f.ui_tree_expand_p95_ms)} ms; ${show(f.ui_inputs)} inputs`);
    add('core RSS', f.core_rss_mb, 'MB', 'flat', f.core_rss_growth_mb !== null && f.core_rss_growth_mb < 25, `after ${show(f.memory_messages)} messages; peak ${show(f.core_rss_peak_mb)}, trough growth middle→last third ${show(f.core_rss_growth_mb)} MB`);
    add('renderer JS heap', f.renderer_heap_mb, 'MB', 'flat', f.renderer_heap_growth_mb !== null && f.renderer_heap_growth_mb < 10, `after GC; peak ${show(f.renderer_heap_peak_mb)}, trough growth ${show(f.renderer_heap_growth_mb)} MB`);
    add('1 MB payload shown', f.large_1mb_show_ms, 'ms', '', true, `row after ${show(f.large_1mb_row_ms)} ms; longest task ${show(f.large_1mb_longest_task_ms)} ms`);
    add('10 MB payload shown', f.large_10mb_show_ms, 'ms', '', true, `row after ${show(f.large_10mb_row_ms)} ms; longest task ${show(f.large_10mb_longest_task_ms)} ms`);
  }
  const out = [
    `Apiary bench (${f.mode}), ${f.date}, ${f.machine}, ${f.seconds} s`,
    'Shared machine: other processes compete for the 2 cores; compare ratios and µs/msg, not absolute rates.',
    '',
    table(rows),
    ...(notes.length ? ['', ...notes.map((n) => `note: ${n}`)] : []),
    ...(f.profile_dir ? ['', `profiles in ${f.profile_dir}: node test/bench/lib/cpuprofile.mjs <file>`] : []),
    '',
  ];
  process.stdout.write(out.join('\n'));
  process.stdout.write(`${JSON.stringify(f)}\n`);
}

main()
  .then(() => {
    killAllChildren();
    process.exit(0);
  })
  .catch((err) => {
    log(`bench failed: ${err.stack ?? err}`);
    killAllChildren();
    process.exit(1);
  });
