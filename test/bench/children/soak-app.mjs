/**
 * The soak's app: Apiary's core (the built one) on a data dir that survives it, publishing numbered QoS 1
 * messages through `messages.publish` (its outbox) at `rate` msg/s to the profile "soak".
 * Config: { dataDir, url, rate, run, maxInFlight }.
 * Prints {"type":"ready"} once the profile is connected (or has given up waiting: the broker may be down),
 * then every 200 ms {"type":"tick","at","accepted":[seq…],"refused":[[seq,error]…],"rss","outbox","sent"}.
 * `accepted` = messages.publish answered sent or queued: Apiary promised them; the parent checks each one
 * reaches the witness subscriber. Stdout is a pipe (written synchronously on Linux), so a line printed before
 * a SIGKILL reaches the parent. Sequence numbers are run × 10,000,000 + i, unique across restarts.
 */
import { coreModules } from '../lib/dist.mjs';
import path from 'node:path';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
setTimeout(() => process.exit(3), 3 * 3600_000).unref(); // the soak bounds itself; this is the last resort

const { createCore, systemClock, MemorySecretStore, packageRoot } = await coreModules();
const log = { info: () => undefined, warn: (m) => process.stderr.write(`warn ${m}\n`), error: (m) => process.stderr.write(`error ${m}\n`) };
const core = await createCore(
  { shell: 'host', dataDir: cfg.dataDir, resourcesDir: path.join(packageRoot, 'resources'), secrets: new MemorySecretStore(), clock: systemClock, log },
  { embeddedSandbox: false },
);

// the profile is kept in the data dir: after a restart it is found again and connects by itself (autoConnect)
let profile = (await core.call('profiles.list', {})).find((p) => p.name === 'soak');
profile ??= await core.call('profiles.save', { name: 'soak', kind: 'mqtt', url: cfg.url, subscriptions: [], autoConnect: true, secretMode: 'ask' });
const state = () => core.services.sessions.state(profile.id).status;
if (state() !== 'connected') await core.call('sessions.connect', { profileId: profile.id }).catch(() => undefined);
for (let i = 0; i < 100 && state() !== 'connected'; i++) await new Promise((r) => setTimeout(r, 50));
out({ type: 'ready', status: state() });

let accepted = [];
let refused = [];
let sent = 0;
let inFlight = 0;
let i = 0;
const base = cfg.run * 10_000_000;
const started = Date.now();

async function publishOne(seq) {
  inFlight++;
  try {
    const r = await core.call('messages.publish', { profileId: profile.id, topic: `soak/t${seq % 10}`, data: `{"seq":${seq}}`, qos: 1, raw: true });
    if (r.status === 'sent' || r.status === 'queued') accepted.push(seq);
    else refused.push([seq, `status ${r.status}`]);
    if (r.status === 'sent') sent++;
  } catch (err) {
    refused.push([seq, String(err.message ?? err).slice(0, 200)]);
  } finally {
    inFlight--;
  }
}

// paced: as many as the clock says are due, never more than maxInFlight unanswered
const pace = setInterval(() => {
  const due = Math.floor(((Date.now() - started) / 1000) * cfg.rate);
  while (i < due && inFlight < (cfg.maxInFlight ?? 5000)) void publishOne(base + i++);
}, 10);

const tick = () => {
  out({ type: 'tick', at: Date.now(), accepted, refused, rss: process.memoryUsage().rss, outbox: core.services.outbox.count(profile.id), sent, published: i, inFlight });
  accepted = [];
  refused = [];
};
const ticker = setInterval(tick, 200);

process.stdin.on('data', (d) => {
  if (!d.toString().includes('"stop"')) return;
  clearInterval(pace); // stop publishing; keep ticking (the outbox drains)
  out({ type: 'stopped', published: i });
});
process.stdin.on('end', async () => {
  clearInterval(pace);
  clearInterval(ticker);
  tick();
  await core.close();
  process.exit(0);
});
process.stdin.resume();
