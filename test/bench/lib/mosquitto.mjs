/** Debian's mosquitto on a free loopback port, for the bench (the reference third-party broker). */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep, track } from './proc.mjs';

export async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  await new Promise((r) => server.close(r));
  return port;
}

export async function waitForPort(port, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const up = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${ms} ms`);
}

export async function startMosquitto({ maxMs = 600_000 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-bench-mosq-'));
  const port = await freePort();
  const conf = [
    'per_listener_settings false',
    `user ${os.userInfo().username}`,
    'allow_anonymous true',
    `listener ${port} 127.0.0.1`,
    'persistence false',
    'max_queued_messages 100000',
    'log_dest none',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `${conf}\n`);
  const proc = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const child = track(proc, 'mosquitto', maxMs);
  await waitForPort(port);
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    pid: proc.pid,
    async stop() {
      await child.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
