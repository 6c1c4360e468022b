#!/usr/bin/env node
/**
 * Apiary's benchmarks (issues 8 and 19). `npm run bench` (full) or `npm run bench -- --quick` (~2 min).
 *   --only=ingest,lag,outbox,desk,idle   run some scenarios only
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
import { runIdle } from './scenarios/idle.mjs';
import { runIngest } from './scenarios/ingest.mjs';
import { runOutbox } from './scenarios/outbox.mjs';
import { runStoreLag } from './scenarios/store-lag.mjs';

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
  'store_lag_max_msgs', 'store_lag_max_s', 'store_catch_up_ms', 'history_under_flood_p95_ms', 'cpu_vs_raw_at_10k', 'idle_rss_mb',
];
const t00 = Date.now();
const log = (line) => process.stderr.write(`[${((Date.now() - t00) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

const settings = quick
  ? { rounds: 1, seconds: 2, warmupMs: 600, outboxCount: 3000, uiSeconds: 5, memCount: 100_000, memRate: 25_000, idleSeconds: 15, idleSettle: 10 }
  : { rounds: 3, seconds: 6, warmupMs: 1000, outboxCount: 10_000, uiSeconds: 15, memCount: 1_000_000, memRate: 20_000, idleSeconds: 120, idleSettle: 30 };
const loadAtStart = os.loadavg();

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
}, (quick ? 420 : 1500) * 1000);
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
    if (wants('lag')) await attempt('store lag', async () => {
      log('store lag: 10,000 msg/s for 10 s (QoS 0, 100 B, 2,000 topics) into the core and a bare subscriber at once');
      const r = await runStoreLag({ broker, rate: 10_000, seconds: 10, log, profileDir });
      Object.assign(figures, {
        store_lag_max_msgs: r.lagMaxMsgs,
        store_lag_max_s: round(r.lagMaxSeconds, 2),
        store_lag_end_msgs: r.lagEndMsgs,
        store_catch_up_ms: round(r.storeCatchUpMs),
        all_stored_after_flood_ms: round(r.catchUpMs),
        store_lag_received: r.received,
        store_lag_stored: r.stored,
        ingest_behind_at_flood_end: r.ingestBehindAtEnd,
        history_under_flood_p95_ms: round(r.historyP95Ms),
        history_under_flood_max_ms: round(r.historyMaxMs),
        series_under_flood_p95_ms: round(r.seriesP95Ms),
        history_probes: r.probes,
        core_cpu_us_at_10k: round(r.coreCpuUs, 1),
        raw_cpu_us_at_10k: round(r.rawCpuUs, 1),
        cpu_vs_raw_at_10k: round(r.coreCpuUs / r.rawCpuUs, 2),
        core_kernel_us_at_10k: round(r.coreSysUs, 1),
        raw_kernel_us_at_10k: round(r.rawSysUs, 1),
        core_cpu_us_by_thread: r.coreCpuByThread,
      });
    });
    if (wants('idle')) await attempt('idle', async () => {
      const r = await runIdle({ broker, seconds: settings.idleSeconds, settleSeconds: settings.idleSettle, log });
      Object.assign(figures, {
        idle_rss_mb: round(r.rssMb, 1),
        idle_rss_peak_mb: round(r.rssPeakMb, 1),
        idle_rss_trend_mb_per_min: round(r.trendMbPerMin, 2),
        idle_sessions: r.sessions,
        idle_seconds: r.seconds,
      });
      log(`  idle: RSS ${r.rssMb.toFixed(1)} MB (peak ${r.rssPeakMb.toFixed(1)}), trend ${r.trendMbPerMin.toFixed(2)} MB/min`);
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
        ui_topic_click_p95_ms: round(d.ui.topicP95),
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
      if (d.ui.topicNa) notes.push(`topic click latency n/a: ${d.ui.topicNa}`);
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
  f.machine = `${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join('/')} (at the start ${loadAtStart.map((l) => l.toFixed(1)).join('/')}), Node ${process.versions.node}`;
  f.load_avg_1m = round(os.loadavg()[0], 2);
  f.load_avg_1m_start = round(loadAtStart[0], 2);
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
    add('UI input latency p95', f.ui_input_p95_ms, 'ms', '< 50', f.ui_input_p95_ms < 50, `typing ${show(f.ui_typing_p95_ms)} ms, tree expand ${show(f.ui_tree_expand_p95_ms)} ms, topic click ${show(f.ui_topic_click_p95_ms)} ms; ${show(f.ui_inputs)} inputs`);
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
    '',
    'Issue 19 goals',
    table(goalRows(f), ['goal', 'figure', 'target', 'met', 'how / note']),
    ...(notes.length ? ['', ...notes.map((n) => `note: ${n}`)] : []),
    ...(f.profile_dir ? ['', `profiles in ${f.profile_dir}: node test/bench/lib/cpuprofile.mjs <file>`] : []),
    '',
  ];
  process.stdout.write(out.join('\n'));
  process.stdout.write(`${JSON.stringify(f)}\n`);
}

/** Each goal of issue 19 with its figure and met / not met (n/a when its scenario did not run). */
function goalRows(f) {
  const met = (value, ok) => (value === null || value === undefined ? 'n/a' : ok ? 'met' : 'NOT MET');
  const memNote = f.memory_messages >= 1_000_000 ? '' : ` — only ${show(f.memory_messages)} messages in this run (the full run sends 1,000,000)`;
  return [
    ['store keeps up at 10k msg/s', `${show(f.store_lag_max_msgs)} msgs / ${show(f.store_lag_max_s)} s behind at worst`, '≤ 1 s behind', met(f.store_lag_max_s, f.store_lag_max_s <= 1 && f.store_catch_up_ms <= 1000),
      `received − stored during a 10 s flood (2,000 topics); the store done ${show(f.store_catch_up_ms)} ms after the core's last read, all read and stored ${show(f.all_stored_after_flood_ms)} ms after the flood (${show(f.store_lag_stored)} of ${show(f.store_lag_received)}); the core read ${show(f.ingest_behind_at_flood_end)} msgs behind the bare subscriber at its end`],
    ['History loads under the flood', `p95 ${show(f.history_under_flood_p95_ms)} ms`, '< 1,000 ms', met(f.history_under_flood_p95_ms, f.history_under_flood_p95_ms < 1000),
      `messages.history every second during it (max ${show(f.history_under_flood_max_ms)} ms, ${show(f.history_probes)} calls); chart series p95 ${show(f.series_under_flood_p95_ms)} ms`],
    ['CPU per message vs bare mqtt.js', `${show(f.cpu_vs_raw_at_10k)}×`, '≤ 1.3×', met(f.cpu_vs_raw_at_10k, f.cpu_vs_raw_at_10k <= 1.3),
      `at 10k msg/s, same flood, same seconds: core ${show(f.core_cpu_us_at_10k)} µs (all threads; kernel ${show(f.core_kernel_us_at_10k)}) vs ${show(f.raw_cpu_us_at_10k)} µs (kernel ${show(f.raw_kernel_us_at_10k)}); unpaced: ${f.ingest_cpu_us_per_msg ? `${show(round(f.ingest_cpu_us_per_msg / f.raw_cpu_us_per_msg, 2))}×` : 'n/a'}`],
    ['RSS after 1,000,000 messages', `${show(f.core_rss_mb)} MB`, '≤ 200 MB', met(f.core_rss_mb, f.core_rss_mb <= 200 && f.memory_messages >= 1_000_000),
      `host process with a page attached, peak ${show(f.core_rss_peak_mb)} MB${memNote}`],
    ['idle RSS', `${show(f.idle_rss_mb)} MB`, '≤ 120 MB', met(f.idle_rss_mb, f.idle_rss_mb <= 120),
      `apiary serve, ${show(f.idle_sessions)} sessions (3 idle to Mosquitto + the built-in sandbox's, its demo sensor on), no page, after ${show(f.idle_seconds)} s; trend ${show(f.idle_rss_trend_mb_per_min)} MB/min (real clock, not compressed)`],
    ['startup to first reading', `${show(f.startup_ms)} ms`, '≤ 1,500 ms', met(f.startup_ms, f.startup_ms <= 1500), 'from the host\'s spawn, browser already open'],
    ['input p95 under 10k flood', `${show(f.ui_input_p95_ms)} ms`, '< 50 ms', met(f.ui_input_p95_ms, f.ui_input_p95_ms < 50),
      `typing ${show(f.ui_typing_p95_ms)} ms, tree expand ${show(f.ui_tree_expand_p95_ms)} ms, topic click ${show(f.ui_topic_click_p95_ms)} ms`],
    ['load average (1 min)', `${show(f.load_avg_1m_start)} → ${show(f.load_avg_1m)}`, '', '', '2 cores shared with other engineers\' builds and tests'],
  ];
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
