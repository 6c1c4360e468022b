/**
 * Outbox drain: a generic profile, `count` QoS 1 messages published while disconnected (they go to the
 * persistent outbox), then sessions.connect; measures connect → outbox empty.
 * Config: { url, count, topic, viaApi }. Prints {"type":"queued","ms"} and {"type":"drained","ms","connectMs","left"}.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { coreModules } from '../lib/dist.mjs';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
setTimeout(() => process.exit(3), 300_000).unref();

const { createCore, systemClock, MemorySecretStore, packageRoot } = await coreModules();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-outbox-'));
const log = { info: () => undefined, warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) };
const core = await createCore(
  { shell: 'host', dataDir, resourcesDir: path.join(packageRoot, 'resources'), secrets: new MemorySecretStore(), clock: systemClock, log },
  { embeddedSandbox: false },
);
const profile = await core.call('profiles.save', { name: 'outbox', kind: 'mqtt', url: cfg.url, subscriptions: [], autoConnect: false, secretMode: 'ask' });

// the first `viaApi` go through messages.publish as a UI's would (timed: the queueing rate); the rest
// straight into the store's outbox, which is what messages.publish does underneath, minus the composer history
const viaApi = Math.min(cfg.viaApi ?? 1000, cfg.count);
const t0 = performance.now();
for (let i = 0; i < viaApi; i++) {
  const r = await core.call('messages.publish', { profileId: profile.id, topic: `${cfg.topic}/${i % 100}`, data: `{"seq":${i}}`, qos: 1, raw: true });
  if (r.status !== 'queued') throw new Error(`expected the message to be queued, got ${r.status}`);
}
const apiMs = performance.now() - t0;
for (let i = viaApi; i < cfg.count; i++) {
  core.services.outbox.enqueue({ profileId: profile.id, topic: `${cfg.topic}/${i % 100}`, payload: Buffer.from(`{"seq":${i}}`), qos: 1, retain: false });
}
const queuedMs = performance.now() - t0;
const queued = core.services.outbox.count(profile.id);
out({ type: 'queued', ms: queuedMs, queued, viaApi, apiMs });

let connectedAt = 0;
let drainedAt = 0;
core.bus.subscribe((event, data) => {
  if (event !== 'session.state' || data.profileId !== profile.id) return;
  if (data.status === 'connected' && !connectedAt) connectedAt = performance.now();
});
const c0 = performance.now();
await core.call('sessions.connect', { profileId: profile.id });
const deadline = Date.now() + 120_000;
while (Date.now() < deadline) {
  if (connectedAt && core.services.outbox.count(profile.id) === 0) {
    drainedAt = performance.now();
    break;
  }
  await new Promise((r) => setTimeout(r, 5));
}
const left = core.services.outbox.count(profile.id);
out({ type: 'drained', ms: drainedAt ? drainedAt - connectedAt : NaN, connectMs: connectedAt - c0, left, queued });
await core.close();
fs.rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
