/**
 * Issue 19, goals 1 and 2: does the store keep up at 10,000 msg/s, and what does a message cost?
 * One flood (QoS 0, 100-byte JSON, 2,000 topics, paced at `rate` for `seconds`, its own process) through
 * Mosquitto reaches, at the same time:
 *   core     Apiary's core with everything on (children/core-ingest.mjs), asking for one topic's History
 *            and chart series every second as the explorer's catch-up does (children/core-ingest.mjs)
 *   raw      a bare mqtt.js subscriber that only counts (the CPU reference, same messages, same seconds)
 * Store lag = received − stored (the status bar's two counts), sampled every 200 ms; in seconds, the lag
 * divided by the rate received over the last second. After the flood: how long until stored = received.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDir, sleep, startChild } from '../lib/proc.mjs';
import { percentile } from '../lib/stats.mjs';

const child = (name) => path.join(benchDir, 'children', name);
const TOPICS = 2000;

export async function runStoreLag({ broker, rate = 10_000, seconds = 10, log, profileDir = null }) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-lag-'));
  const probeTopic = 'lag/t0007';
  const core = startChild(child('core-ingest.mjs'), { url: broker.url, filter: 'lag/#', dataDir, probe: { topic: probeTopic, everyMs: 1000 }, threads: true }, {
    maxMs: (seconds + 120) * 1000,
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  const raw = startChild(child('counter.mjs'), { url: broker.url, filter: 'lag/#' }, { maxMs: (seconds + 120) * 1000 });
  try {
    await Promise.all([core.waitFor((m) => m.type === 'ready', 30_000, 'ready'), raw.waitFor((m) => m.type === 'ready', 30_000, 'ready')]);
    const flood = startChild(child('flood.mjs'), { url: broker.url, topics: TOPICS, prefix: 'lag', layout: 'flat', size: 100, rate, count: rate * seconds, seconds }, { maxMs: (seconds + 40) * 1000 });
    await flood.waitFor((m) => m.type === 'ready', 15_000, 'ready');
    flood.send({ go: true });
    const started = await flood.waitFor((m) => m.type === 'started', 5000, 'start');
    const done = await flood.waitFor((m) => m.type === 'done', (seconds + 30) * 1000, 'end of flood');
    await flood.stop();
    // after the flood: until the store holds everything received (bounded)
    let caughtUpAt = null;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      await sleep(200);
      const t = lastTick(core);
      if (t && t.received >= done.sent * 0.999 && t.stored >= t.received) {
        caughtUpAt = t.at;
        break;
      }
      if (t && t.stored >= t.received && Date.now() - done.at > 3000) {
        caughtUpAt = t.at; // the broker dropped some (QoS 0): the store still holds all that arrived
        break;
      }
    }
    await sleep(400);
    const ticks = core.messages.filter((m) => m.type === 'tick');
    // the store's own catch-up: from the moment the core had read everything it would read (received stopped
    // growing) to the moment it had stored it — the core's reading backlog on a loaded machine is not the store's
    const finalReceived = ticks.at(-1).received;
    const readAll = ticks.find((t) => t.received >= finalReceived);
    const storedAll = ticks.find((t) => t.stored >= finalReceived);
    const during = ticks.filter((t) => t.at >= started.at && t.at <= done.at);
    const lags = during.map((t) => lagOf(t, ticks));
    const atEnd = lagOf(nearest(ticks, done.at), ticks);
    const worst = lags.reduce((w, l) => (l.messages > w.messages ? l : w), { messages: 0, seconds: 0 });
    const probes = core.messages.filter((m) => m.type === 'probe' && m.at >= started.at && m.at <= done.at + 1000);
    const cpu = cpuPerMessage(ticks, raw.messages.filter((m) => m.type === 'tick'), started.at, caughtUpAt ?? done.at + 1000);
    const last = ticks.at(-1);
    const result = {
      rate,
      seconds,
      sent: done.sent,
      received: last.received,
      stored: last.stored,
      rawReceived: lastTick(raw)?.n ?? NaN,
      // how far the core's own reading was behind the bare subscriber when the flood ended (the socket's backlog:
      // not the store's lag, the core's CPU share on a loaded machine)
      ingestBehindAtEnd: Math.max(0, (nearest(raw.messages.filter((m) => m.type === 'tick'), done.at)?.n ?? 0) - nearest(ticks, done.at).received),
      lagMaxMsgs: worst.messages,
      lagMaxSeconds: worst.seconds,
      lagEndMsgs: atEnd.messages,
      lagEndSeconds: atEnd.seconds,
      catchUpMs: caughtUpAt === null ? NaN : Math.max(0, caughtUpAt - done.at),
      storeCatchUpMs: readAll && storedAll ? Math.max(0, storedAll.at - readAll.at) : NaN,
      historyP95Ms: percentile(probes.map((p) => p.historyMs), 95),
      historyMaxMs: Math.max(0, ...probes.map((p) => p.historyMs)),
      seriesP95Ms: percentile(probes.map((p) => p.seriesMs), 95),
      probes: probes.length,
      coreCpuUs: cpu.core,
      rawCpuUs: cpu.raw,
      coreCpuByThread: cpu.threads,
      coreSysUs: cpu.sys,
      rawSysUs: cpu.rawSys,
      coreRssMb: last.rss / 1048576,
    };
    log(
      `  store lag: ${rate.toLocaleString('en-US')} msg/s × ${seconds} s, worst ${worst.messages.toLocaleString('en-US')} msgs / ${worst.seconds.toFixed(2)} s behind, ` +
        `at the end ${atEnd.messages.toLocaleString('en-US')}, all read and stored ${Number.isFinite(result.catchUpMs) ? `${Math.round(result.catchUpMs)} ms` : 'never (60 s)'} after (the store ${Math.round(result.storeCatchUpMs)} ms after the last read); ` +
        `History p95 ${Math.round(result.historyP95Ms)} ms (max ${Math.round(result.historyMaxMs)}, ${probes.length} calls); CPU ${cpu.core.toFixed(1)} vs raw ${cpu.raw.toFixed(1)} µs/msg ` +
        `(kernel ${cpu.sys.toFixed(1)} vs ${cpu.rawSys.toFixed(1)}; by thread ${Object.entries(cpu.threads).sort((x, y) => y[1] - x[1]).slice(0, 5).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    );
    return result;
  } finally {
    await Promise.all([core.stop('SIGTERM', 8000), raw.stop()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function lastTick(c) {
  for (let i = c.messages.length - 1; i >= 0; i--) if (c.messages[i].type === 'tick') return c.messages[i];
  return null;
}

function nearest(ticks, at) {
  return ticks.reduce((best, t) => (Math.abs(t.at - at) < Math.abs(best.at - at) ? t : best), ticks[0]);
}

/** received − stored, and that in seconds at the rate received over the second before */
function lagOf(t, ticks) {
  const messages = Math.max(0, t.received - t.stored);
  const before = nearest(ticks, t.at - 1000);
  const perSecond = before && t.at > before.at ? ((t.received - before.received) * 1000) / (t.at - before.at) : 0;
  return { messages, seconds: perSecond > 0 ? messages / perSecond : 0 };
}

/** CPU µs per message of both processes over the same window (the core's includes its writer thread) */
function cpuPerMessage(coreTicks, rawTicks, from, to) {
  const span = (ticks, count) => {
    const inside = ticks.filter((t) => t.at >= from - 250 && t.at <= to + 250);
    if (inside.length < 2) return NaN;
    const a = inside[0];
    const b = inside.at(-1);
    return (b.cpuUs - a.cpuUs) / Math.max(1, count(b) - count(a));
  };
  const inside = coreTicks.filter((t) => t.at >= from - 250 && t.at <= to + 250);
  const [a, b] = [inside[0], inside.at(-1)];
  const messages = a && b ? Math.max(1, b.received - a.received) : NaN;
  // where the core's µs go: each thread (clock ticks of 10 ms, by thread name) and the kernel's share
  const threads = {};
  if (a?.threads && b?.threads) {
    for (const [name, ticks] of Object.entries(b.threads)) {
      const us = ((ticks - (a.threads[name] ?? 0)) * 10_000) / messages;
      if (us >= 0.05) threads[name] = Math.round(us * 10) / 10;
    }
  }
  const sys = a && b ? (b.sysUs - a.sysUs) / messages : NaN;
  const rawInside = rawTicks.filter((t) => t.at >= from - 250 && t.at <= to + 250);
  const [ra, rb] = [rawInside[0], rawInside.at(-1)];
  const rawSys = ra && rb && rb.sysUs !== undefined ? (rb.sysUs - ra.sysUs) / Math.max(1, rb.n - ra.n) : NaN;
  return { core: span(coreTicks, (t) => t.received), raw: span(rawTicks, (t) => t.n), threads, sys, rawSys };
}
