/** Debian's mosquitto as a real third-party broker on a free loopback port, optionally with TLS. */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { tempDir } from './core-fixture.js';

export interface Mosquitto {
  port: number;
  tlsPort?: number;
  url: string;
  tlsUrl?: string;
  caFile?: string;
  dir: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A CA and a server certificate for 127.0.0.1/localhost, made with openssl. */
export function makeTlsFiles(dir: string, opts: { host?: string; days?: number } = {}): { ca: string; cert: string; key: string } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Apiary Test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${opts.host ?? 'localhost'}`]);
  const san = opts.host ? `subjectAltName=DNS:${opts.host}` : 'subjectAltName=DNS:localhost,IP:127.0.0.1';
  fs.writeFileSync(path.join(dir, 'ext.cnf'), `${san}\n`);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', String(opts.days ?? 2), '-extfile', 'ext.cnf']);
  return { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') };
}

export async function startMosquitto(opts: { tls?: boolean; persistence?: boolean } = {}): Promise<Mosquitto> {
  const dir = tempDir('apiary-mosq-');
  const port = await freePort();
  const tlsPort = opts.tls ? await freePort() : undefined;
  const tls = opts.tls ? makeTlsFiles(dir) : undefined;
  const conf = [
    'per_listener_settings false',
    // run as ourselves: as root, mosquitto would drop to a user who cannot read our temp dir
    `user ${os.userInfo().username}`,
    'allow_anonymous true',
    `listener ${port} 127.0.0.1`,
    ...(tls ? [`listener ${tlsPort} 127.0.0.1`, `cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`] : []),
    ...(opts.persistence ? ['persistence true', `persistence_location ${dir}/`, 'autosave_interval 1'] : ['persistence false']),
    'max_queued_messages 100000',
    'log_dest none',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), `${conf}\n`);
  let child: ChildProcess | null = null;

  const start = async () => {
    child = spawn('mosquitto', ['-c', path.join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error('mosquitto did not start in 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    dir,
    start,
    stop,
    ...(tls ? { tlsPort, tlsUrl: `mqtts://127.0.0.1:${tlsPort}`, caFile: tls.ca } : {}),
  };
}
