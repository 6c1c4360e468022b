#!/usr/bin/env node
/**
 * `npm run soak` (issue 19): Apiary publishes numbered QoS 1 messages through its core (the outbox) to a real
 * Mosquitto with persistence, while the broker is SIGKILLed and restarted every 5 minutes and the app itself is
 * SIGKILLed and restarted twice. A witness subscriber with a persistent session (clean: false, QoS 1) counts
 * every message. At the end: accepted (committed to the outbox), delivered, missing,
 * duplicated, and the app's RSS over time. Exits 1 if a message Apiary accepted never arrived and Apiary never had
 * the broker's PUBACK for it (Apiary's loss); 4 if every missing one was PUBACKed (the broker lost it in a SIGKILL,
 * between its PUBACK and its next save, e.g. queued for the witness while it was reconnecting); 0 if none is missing.
 *
 *   npm run soak                          30 minutes at 1,000 msg/s
 *   npm run soak -- --minutes 4 --rate 500
 *   npm run soak -- --via-api             publish with messages.publish (adds the composer's history per message)
 * The broker kills are every 5 min × minutes/30 (every 40 s in a 4-minute run); the app kills at 35 % and 70 %
 * of the run. Needs the built core (npm run build:core) and Debian's mosquitto. Everything is bounded: the
 * run, the drain at the end (≤ 120 s), every child (killed at exit).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { checkBuilt } from './lib/dist.mjs';
import { freePort, waitForPort } from './lib/mosquitto.mjs';
import { benchDir, killAllChildren, sleep, startChild, track } from './lib/proc.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return fallback;
  const value = args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} wants a positive number, got ${value}`);
  return n;
};
const minutes = option('minutes', 30);
const rate = option('rate', 1000);
const viaApi = args.includes('--via-api');
const runMs = minutes * 60_000;
const brokerEveryMs = (5 * 60_000 * minutes) / 30;
const appKillsAt = [0.35, 0.7].map((f) => Math.round(runMs * f));
const t0 = Date.now();
const log = (line) => process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

const hardStop = setTimeout(() => {
  log('soak: over its time limit; stopping');
  killAllChildren();
  process.exit(3);
}, runMs + 300_000);
hardStop.unref();
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => (killAllChildren(), process.exit(130)));

/** Mosquitto with persistence on a fixed port, so a restart is the same broker to its clients. */
function mosquittoWithPersistence(dir, port) {
  const conf = [
    'per_listener_settings false',
    `user ${os.userInfo().username}`,
    'allow_anonymous true',
    `listener ${port} 127.0.0.1`,
    'persistence true',
    `persistence_location ${dir}/`,
    // saved every second: a SIGKILL loses at most the last second of what the broker held for an offline client
    'autosave_interval 1',
    'max_queued_messages 0',
    'max_inflight_messages 100',
    'log_dest none',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `${conf}\n`);
  let child = null;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async start() {
      const proc = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = track(proc, 'mosquitto', runMs + 600_000);
      await waitForPort(port, 15_000);
    },
    get pid() {
      return child?.pid;
    },
    async kill() {
      child?.proc.kill('SIGKILL');
      for (let i = 0; i < 100 && child && !child.exited; i++) await sleep(20);
    },
    async stop() {
      await child?.stop();
    },
  };
}

function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  } catch {
    return NaN;
  }
}

async function main() {
  const problem = checkBuilt();
  if (problem) throw new Error(problem);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-soak-'));
  const brokerDir = path.join(dir, 'broker');
  const dataDir = path.join(dir, 'app');
  fs.mkdirSync(brokerDir);
  fs.mkdirSync(dataDir);
  const broker = mosquittoWithPersistence(brokerDir, await freePort());
  await broker.start();
  log(`soak: ${minutes} min at ${rate.toLocaleString('en-US')} msg/s, QoS 1; broker SIGKILL every ${Math.round(brokerEveryMs / 1000)} s, app SIGKILL at ${appKillsAt.map((t) => `${Math.round(t / 1000)} s`).join(' and ')}`);

  // the witness: a persistent session, so what the broker holds for it while it is away is delivered later
  const delivered = new Map(); // seq → times
  const witness = mqtt.connect(broker.url, { clientId: 'apiary-soak-witness', clean: false, reconnectPeriod: 100, connectTimeout: 5000, protocolVersion: 4 });
  witness.on('error', () => undefined);
  witness.on('message', (_topic, payload) => {
    const seq = /"seq":(\d+)/.exec(payload.toString())?.[1];
    if (seq !== undefined) delivered.set(Number(seq), (delivered.get(Number(seq)) ?? 0) + 1);
  });
  await new Promise((resolve, reject) => {
    witness.once('connect', resolve);
    setTimeout(() => reject(new Error('the witness did not connect in 10 s')), 10_000);
  });
  await witness.subscribeAsync('soak/#', { qos: 1 });

  const accepted = new Set();
  // outbox row id → seq (ids are the outbox's, kept across restarts: same data dir), and what became of them
  const seqOfId = new Map();
  const ackedSeqs = new Set();
  const deadSeqs = new Map();
  const refused = [];
  const samples = []; // [s, app RSS MB, broker RSS MB, outbox, delivered, PUBACKed to Apiary]
  let run = 0;
  let appKills = 0;
  let brokerKills = 0;
  const appLog = [];

  const startApp = async () => {
    run++;
    const child = startChild(path.join(benchDir, 'children', 'soak-app.mjs'), { dataDir, url: broker.url, rate, run, viaApi }, { maxMs: runMs + 400_000 });
    child.proc.stderr.on('data', (d) => appLog.push(...d.toString().split('\n').filter(Boolean).slice(0, 20)));
    await child.waitFor((m) => m.type === 'ready', 60_000, 'ready');
    let seen = 0;
    const drainTicks = () => {
      for (; seen < child.messages.length; seen++) {
        const m = child.messages[seen];
        if (m.type === 'acc') {
          accepted.add(m.seq);
          seqOfId.set(m.id, m.seq);
        }
        if (m.type === 'acked') ackedSeqs.add(seqOfId.get(m.id));
        if (m.type === 'dead') deadSeqs.set(seqOfId.get(m.id), m.reason);
        if (m.type !== 'tick') continue;
        for (const r of m.refused) refused.push(r);
        child.last = m;
      }
    };
    child.drain = drainTicks;
    return child;
  };

  let app = await startApp();
  let nextBrokerKill = brokerEveryMs;
  const killsLeft = [...appKillsAt];
  let nextSample = 0;
  while (Date.now() - t0 < runMs) {
    await sleep(200);
    app.drain();
    const elapsed = Date.now() - t0;
    if (elapsed >= nextSample) {
      samples.push([Math.round(elapsed / 1000), Math.round(rssOf(app.pid)), Math.round(rssOf(broker.pid)), app.last?.outbox ?? null, delivered.size, ackedSeqs.size]);
      nextSample += Math.max(5000, runMs / 40);
    }
    if (elapsed >= nextBrokerKill) {
      nextBrokerKill += brokerEveryMs;
      brokerKills++;
      log(`broker SIGKILL #${brokerKills} (accepted ${accepted.size.toLocaleString('en-US')}, delivered ${delivered.size.toLocaleString('en-US')}, outbox ${app.last?.outbox ?? '?'})`);
      await broker.kill();
      await sleep(1500); // the app queues meanwhile
      await broker.start();
    }
    if (killsLeft.length && elapsed >= killsLeft[0]) {
      killsLeft.shift();
      appKills++;
      app.drain();
      log(`app SIGKILL #${appKills} (accepted ${accepted.size.toLocaleString('en-US')}, outbox ${app.last?.outbox ?? '?'}, RSS ${Math.round(rssOf(app.pid))} MB)`);
      app.proc.kill('SIGKILL');
      await app.waitFor(() => false, 5000, 'exit').catch(() => undefined);
      app.drain();
      await sleep(1000);
      app = await startApp();
      log(`app restarted (run ${run})`);
    }
  }

  // stop publishing, let the outbox drain and the witness receive the rest (bounded)
  app.send({ stop: true });
  log('publishing stopped; waiting for the outbox to drain and the witness to go quiet (≤ 120 s)');
  const drainDeadline = Date.now() + 120_000;
  let quietSince = 0;
  let lastDelivered = -1;
  while (Date.now() < drainDeadline) {
    await sleep(500);
    app.drain();
    const missingNow = [...accepted].filter((s) => !delivered.has(s)).length;
    if (delivered.size === lastDelivered && app.last?.outbox === 0) quietSince ||= Date.now();
    else quietSince = 0;
    lastDelivered = delivered.size;
    if ((missingNow === 0 && app.last?.outbox === 0) || (quietSince && Date.now() - quietSince > 5000)) break;
  }
  samples.push([Math.round((Date.now() - t0) / 1000), Math.round(rssOf(app.pid)), Math.round(rssOf(broker.pid)), app.last?.outbox ?? null, delivered.size, ackedSeqs.size]);
  await app.stop('SIGTERM', 10_000);
  app.drain();
  witness.end(true);
  await broker.stop();

  const missing = [...accepted].filter((s) => !delivered.has(s)).sort((a, b) => a - b);
  const lostByApiary = missing.filter((s) => !ackedSeqs.has(s));
  const duplicated = [...delivered].filter(([, n]) => n > 1);
  const unconfirmed = [...delivered.keys()].filter((s) => !accepted.has(s)).length;
  const lines = [
    '',
    `Apiary soak, ${new Date().toISOString().slice(0, 16)}Z, ${minutes} min at ${rate.toLocaleString('en-US')} msg/s (QoS 1, via ${viaApi ? 'messages.publish' : 'the session manager\'s publish'}), load ${os.loadavg().map((l) => l.toFixed(1)).join('/')}, ${((Date.now() - t0) / 60_000).toFixed(1)} min wall`,
    `broker SIGKILLs: ${brokerKills}; app SIGKILLs: ${appKills} (runs: ${run})`,
    `accepted by Apiary:   ${accepted.size.toLocaleString('en-US')} (committed to its outbox); refused: ${refused.length}${refused.length ? ` (first: ${refused[0][1]})` : ''}`,
    `delivered (distinct): ${delivered.size.toLocaleString('en-US')}; delivered but never seen accepted: ${unconfirmed}`,
    `missing:              ${missing.length}${missing.length ? ` — ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ', …' : ''}` : ''}`,
    ...(missing.length
      ? [
          `  of them PUBACKed by the broker (Apiary removed them from its outbox on the broker's word: lost by the broker): ${missing.filter((s) => ackedSeqs.has(s)).length}`,
          `  set aside as dead letters (visible, retryable in the desk): ${missing.filter((s) => deadSeqs.has(s)).length}${deadSeqs.size ? ` — ${[...deadSeqs.values()][0]}` : ''}`,
          `  neither (lost by Apiary): ${missing.filter((s) => !ackedSeqs.has(s) && !deadSeqs.has(s)).length}`,
        ]
      : []),
    `duplicated:           ${duplicated.length} (QoS 1 is at least once: redelivery after a kill is expected)${duplicated.length ? ` — e.g. ${duplicated.slice(0, 5).map(([s, n]) => `${s}×${n}`).join(', ')}` : ''}`,
    'RSS over time (s: app MB / broker MB, outbox, delivered to the witness, PUBACKed to Apiary):',
    ...samples.map(([s, a, b, o, d, k]) => `  ${String(s).padStart(5)} s: app ${a} MB / broker ${b} MB, outbox ${o ?? '?'}, delivered ${d.toLocaleString('en-US')}, PUBACKed ${k.toLocaleString('en-US')}`),
    lostByApiary.length
      ? `FAIL: ${lostByApiary.length} accepted message(s) never arrived and were never PUBACKed by the broker`
      : missing.length
        ? `FAIL (the broker's): ${missing.length} accepted message(s) never arrived, each PUBACKed by the broker before its SIGKILL`
        : 'OK: every accepted message arrived',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  process.stdout.write(`${JSON.stringify({ minutes, rate, brokerKills, appKills, accepted: accepted.size, delivered: delivered.size, missing: missing.length, duplicated: duplicated.length, refused: refused.length, samples })}\n`);
  if (appLog.length) log(`app stderr (first lines): ${appLog.slice(0, 5).join(' | ')}`);
  fs.rmSync(dir, { recursive: true, force: true });
  return lostByApiary.length ? 1 : missing.length ? 4 : 0;
}

main()
  .then((code) => {
    killAllChildren();
    process.exit(code);
  })
  .catch((err) => {
    log(`soak failed: ${err.stack ?? err}`);
    killAllChildren();
    process.exit(2);
  });
