/**
 * Apiary's core with everything on, fed by a generic MQTT profile: decode, SQLite log, explorer stats,
 * an enabled alert rule, and every UI event serialised as the host would send it (one bus listener).
 * Config: { url, filter, dataDir }. Prints {"type":"ready"} once connected and subscribed, then
 * {"type":"tick","at","n","cpuUs","rss","stored","uiBytes"} every 200 ms until stdin closes.
 * n counts messages that made it through the whole path (the messages.batch events: shown + skipped).
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
const tick = () => {
  const cpu = process.cpuUsage();
  out({ type: 'tick', at: Date.now(), n, cpuUs: cpu.user + cpu.system, rss: process.memoryUsage().rss, stored: core.services.log.stats().count, uiBytes });
};
tick();
const timer = setInterval(tick, 200);
process.stdin.on('end', async () => {
  clearInterval(timer);
  await core.close();
  if (!cfg.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
});
process.stdin.resume();
