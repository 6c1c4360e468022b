/**
 * Figures 1 and 6: the same flood (QoS 0, 100-byte JSON, 1,000 topics, from its own process) into
 *   raw      Mosquitto → bare mqtt.js subscriber that only counts (the reference)
 *   core     Mosquitto → Apiary's core with everything on
 *   sandbox  the embedded sandbox broker (own process) → the same bare subscriber
 * Modes are interleaved round by round (order rotated) so each ratio compares runs taken seconds apart.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDir, sleep, startChild } from '../lib/proc.mjs';
import { median, windowRate } from '../lib/stats.mjs';

const child = (name) => path.join(benchDir, 'children', name);

async function measure({ mode, broker, sandbox, seconds, warmupMs, profile, props }) {
  const viaSandbox = mode === 'sandbox';
  const url = viaSandbox ? sandbox.url : broker.url;
  const auth = viaSandbox ? { username: sandbox.token } : {};
  // the runner owns the core's data dir: removed below even when the child had to be killed
  const dataDir = mode === 'core' ? fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-core-')) : null;
  const subscriber =
    mode === 'core'
      ? startChild(child('core-ingest.mjs'), { url, filter: '#', dataDir, props }, { maxMs: (seconds + 60) * 1000, nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [] })
      : startChild(child('counter.mjs'), { url, filter: viaSandbox ? 'demo/#' : '#', ...auth }, { maxMs: (seconds + 60) * 1000 });
  try {
    await subscriber.waitFor((m) => m.type === 'ready', 30_000, 'ready');
    const flood = startChild(child('flood.mjs'), { url, ...auth, props: props && mode === 'core', topics: 1000, prefix: 'demo', layout: 'flat', size: 100, rate: 0, count: 20_000_000, seconds }, { maxMs: (seconds + 40) * 1000 });
    await flood.waitFor((m) => m.type === 'ready', 15_000, 'ready');
    flood.send({ go: true });
    const started = await flood.waitFor((m) => m.type === 'started', 5000, 'start');
    const done = await flood.waitFor((m) => m.type === 'done', (seconds + 20) * 1000, 'end of flood');
    await flood.stop();
    await sleep(300);
    const r = windowRate(subscriber.messages, started.at + warmupMs, done.at);
    return { mode, ...r, sent: done.sent, offered: done.sent / done.seconds };
  } finally {
    await subscriber.stop('SIGTERM', mode === 'core' ? 8000 : 2000);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runIngest({ broker, sandbox, rounds, seconds, warmupMs, profileDir, log, props = false }) {
  const modes = ['raw', 'core', 'sandbox'];
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    const order = modes.map((_, i) => modes[(i + round) % modes.length]);
    const got = {};
    for (const mode of order) {
      const r = await measure({ mode, broker, sandbox, seconds, warmupMs, props, profile: profileDir && mode === 'core' && round === 0 ? profileDir : null });
      got[mode] = r;
      log(`  ingest round ${round + 1}/${rounds} ${mode.padEnd(7)} ${Math.round(r.rate).toLocaleString('en-US')} msg/s (offered ${Math.round(r.offered).toLocaleString('en-US')}/s, ${r.cpuUsPerMsg.toFixed(1)} µs CPU/msg)`);
    }
    runs.push(got);
  }
  const pick = (mode, key) => runs.map((r) => r[mode][key]);
  return {
    raw: median(pick('raw', 'rate')),
    core: median(pick('core', 'rate')),
    sandbox: median(pick('sandbox', 'rate')),
    ratio: median(runs.map((r) => r.core.rate / r.raw.rate)),
    sandboxRatio: median(runs.map((r) => r.sandbox.rate / r.raw.rate)),
    rawCpu: median(pick('raw', 'cpuUsPerMsg')),
    coreCpu: median(pick('core', 'cpuUsPerMsg')),
    offered: median(pick('raw', 'offered')),
    runs,
  };
}
