/**
 * Apiary's core with everything on, fed by a generic MQTT profile: decode, SQLite log, explorer stats,
 * an enabled alert rule, and every UI event serialised as the host would send it (one bus listener).
 * Config: { url, filter, dataDir }. Prints {"type":"ready"} once connected and subscribed, then
 * {"type":"tick","at","n","cpuUs","rss","stored","received","uiBytes"} every 200 ms until stdin closes.
 * n counts messages that made it through the whole path (the messages.batch events: shown + skipped);
 * stored is what the store has committed, received what the status bar calls received.
 * probe: { topic, everyMs } also asks for that topic's History and chart series (messages.history,
 * messages.series) every everyMs, as the explorer's catch-up does under a flood (renderer/src/lib/catch-up.ts:
 * the History's newest page again, the chart's points since its last read; the first series call is the chart's
 * opening hour) and prints {"type":"probe","at","historyMs","seriesMs","rows"}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreModules } from '../lib/dist.mjs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
setTimeout(() => process.exit(3), 600_000).unref();

const { createCore, systemClock, MemorySecretStore, packageRoot } = await coreModules();
const dataDir = cfg.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-core-'));
const logs = [];
const log = { info: () => undefined, warn: (m) => logs.push(m), error: (m) => logs.push(m) };
const core = await createCore(
  { shell: 'host', dataDir, resourcesDir: path.join(packageRoot, 'resources'), secrets: new MemorySecretStore(), clock: systemClock, log },
  { embeddedSandbox: false },
);

let n = 0;
let uiBytes = 0;
let connected = false;
core.bus.subscribe((event, data) => {
  // what the headless host does for each event: one JSON frame per event, per client
  uiBytes += JSON.stringify({ event, data }).length;
  if (event === 'messages.batch') n += data.messages.length + data.skipped;
  if (event === 'session.state' && data.status === 'connected') connected = true;
});

await core.call('alerts.saveRule', {
  rule: {
    name: 'bench: too hot',
    enabled: true,
    topicFilter: '#',
    // evaluated on every message; fires only above 29.9 (the flood's values are 20.00–29.99)
    condition: { kind: 'compare', path: 'data', op: '>', value: 29.9 },
    cooldownSeconds: 60,
  },
});
const profile = await core.call('profiles.save', {
  name: 'bench',
  kind: 'mqtt',
  url: cfg.url,
  ...(cfg.props ? { protocolVersion: 5 } : {}),
  subscriptions: [cfg.filter ?? '#'],
  autoConnect: false,
  secretMode: 'ask',
});
await core.call('sessions.connect', { profileId: profile.id });
for (let i = 0; i < 200 && !connected; i++) await new Promise((r) => setTimeout(r, 25));
if (!connected) {
  process.stderr.write(`core did not connect: ${logs.join('; ')}\n`);
  process.exit(2);
}
await new Promise((r) => setTimeout(r, 300)); // the subscription is sent right after CONNACK
out({ type: 'ready' });
/** CPU of each thread of this process (clock ticks; the main thread, the others by name#tid): where the µs a message go */
const threadCpu = () => {
  const byName = {};
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const key = Number(tid) === process.pid ? 'main' : `${name}#${tid}`;
      byName[key] = (byName[key] ?? 0) + Number(fields[11]) + Number(fields[12]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return byName;
};
const tick = () => {
  const cpu = process.cpuUsage();
  const stored = core.services.log.stats().count;
  const mem = process.memoryUsage();
  out({ type: 'tick', at: Date.now(), n, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, ...(cfg.threads ? { threads: threadCpu() } : {}), rss: mem.rss, heapTotal: mem.heapTotal, heapUsed: mem.heapUsed, external: mem.external, stored, received: core.services.topics.received, uiBytes });
};
tick();
const timer = setInterval(tick, 200);
// one probe at a time: a History that takes 5 s is measured as 5 s, not hidden behind overlapping calls
let probing = false;
let seriesFrom = null;
const probe = async () => {
  if (probing) return;
  probing = true;
  try {
    const t0 = performance.now();
    const rows = await core.call('messages.history', { profileId: profile.id, topic: cfg.probe.topic, limit: 200 });
    const t1 = performance.now();
    // the chart opens on the last hour, then catches up on what batches left out since its last read, less a
    // margin (renderer/src/views/explorer/chart-series.svelte.ts GAP_MARGIN_MS)
    const since = seriesFrom ?? Date.now() - 3_600_000;
    seriesFrom = Date.now() - 5000;
    await core.call('messages.series', { profileId: profile.id, topic: cfg.probe.topic, since, limit: 1000 });
    out({ type: 'probe', at: Date.now(), historyMs: t1 - t0, seriesMs: performance.now() - t1, rows: rows.length });
  } finally {
    probing = false;
  }
};
const probes = cfg.probe ? setInterval(() => void probe(), cfg.probe.everyMs ?? 250) : null;
process.stdin.on('end', async () => {
  clearInterval(timer);
  if (probes) clearInterval(probes);
  await core.close();
  if (!cfg.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
process.stdin.resume();
