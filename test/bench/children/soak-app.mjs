/**
 * The soak's app: Apiary's core (the built one) on a data dir that survives it, publishing numbered QoS 1
 * messages through its session manager's publish (the outbox: written there first, removed on the PUBACK) at `rate`
 * msg/s to the profile "soak". viaApi: through `messages.publish` instead, which also records every message in the
 * composer's publish history (its own table, written 100 ms at a time; a settings row rewritten per call capped the
 * rate near 100–250 msg/s here before store migration 8).
 * Config: { dataDir, url, rate, run, maxInFlight, viaApi }.
 * Prints {"type":"ready"} once the profile is connected (or has given up waiting: the broker may be down),
 * {"type":"acc","seq"} for each message the outbox commits, and every 200 ms {"type":"tick","at","refused":[[seq,error]…],
 * "rss","outbox","sent"}.
 * `accepted` = written to the outbox (its enqueue returned: the row is committed, Apiary has promised it, even
 * if the call is still waiting for the PUBACK when the app is killed); the parent checks each one reaches the witness. Stdout is a pipe (written synchronously on Linux), so a line printed before
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

let refused = [];
// what the outbox has committed, seen where it happens (publish() answers only after the PUBACK or 5 s)
const outbox = core.services.outbox;
const enqueue = outbox.enqueue.bind(outbox);
outbox.enqueue = (input) => {
  const id = enqueue(input);
  const seq = /"seq":(\d+)/.exec(Buffer.from(input.payload).toString())?.[1];
  // at once, not with the next tick: a SIGKILL right after the commit must not hide the promise from the parent
  if (seq !== undefined) out({ type: 'acc', seq: Number(seq), id });
  return id;
};
// removed on the broker's PUBACK, or set aside as a dead letter: which side lost a missing message
const remove = outbox.remove.bind(outbox);
outbox.remove = (id) => {
  const removed = remove(id);
  if (removed) out({ type: 'acked', id, run: cfg.run });
  return removed;
};
const deadLetter = outbox.deadLetter.bind(outbox);
outbox.deadLetter = (id, reason) => {
  out({ type: 'dead', id, reason });
  return deadLetter(id, reason);
};
let sent = 0;
let inFlight = 0;
let i = 0;
let backoffUntil = 0;
const base = cfg.run * 10_000_000;
const started = Date.now();

async function publishOne(seq) {
  inFlight++;
  try {
    const input = { profileId: profile.id, topic: `soak/t${seq % 10}`, data: `{"seq":${seq}}`, qos: 1, raw: true, write: false, ispublic: false, retain: false };
    const r = cfg.viaApi ? await core.call('messages.publish', input) : await core.services.sessions.publish(core.services.profiles.get(profile.id), input);
    if (r.status !== 'sent' && r.status !== 'queued') refused.push([seq, `status ${r.status}`]);
    if (r.status === 'sent') sent++;
  } catch (err) {
    refused.push([seq, String(err.message ?? err).slice(0, 200)]);
    backoffUntil = Date.now() + 200; // refused (the outbox is full): a user would not hammer it either
  } finally {
    inFlight--;
  }
}

// paced: as many as the clock says are due, never more than maxInFlight unanswered
const pace = setInterval(() => {
  if (Date.now() < backoffUntil) return;
  const due = Math.floor(((Date.now() - started) / 1000) * cfg.rate);
  while (i < due && inFlight < (cfg.maxInFlight ?? 5000)) void publishOne(base + i++);
}, 10);

let ticks = 0;
const tick = () => {
  // every 5 s the live heap too, after a full collection when node runs with --expose-gc (a leak shows as growth)
  if (++ticks % 25 === 0 && globalThis.gc) globalThis.gc();
  const heap = ticks % 25 === 0 ? process.memoryUsage().heapUsed : undefined;
  out({ type: 'tick', at: Date.now(), refused, rss: process.memoryUsage().rss, heap, outbox: core.services.outbox.count(profile.id), sent, published: i, inFlight });
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
