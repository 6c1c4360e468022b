/** Mosquitto with a config of our own (several TLS listeners, a password file…), on loopback ports we chose. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface CustomMosquitto {
  stop(): Promise<void>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** Writes `lines` (plus running as ourselves, no log) to dir/mosquitto.conf and waits until every port answers. */
export async function spawnMosquitto(dir: string, lines: string[], ports: number[]): Promise<CustomMosquitto> {
  const conf = [`user ${os.userInfo().username}`, 'log_dest none', ...lines].join('\n');
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `${conf}\n`);
  const child: ChildProcess = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  const deadline = Date.now() + 10_000;
  for (const port of ports) {
    while (!(await listening(port))) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`mosquitto did not start on port ${port} (exit ${child.exitCode}); config:\n${conf}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { stop };
}
