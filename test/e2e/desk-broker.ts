/** A real Mosquitto broker on a free loopback port for the desk's e2e specs, and mosquitto_pub. */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Broker {
  port: number;
  url: string;
  dir: string;
  process: ChildProcess;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

async function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export async function startMosquitto(): Promise<Broker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apiary-mosq-'));
  const port = await freePort();
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const child = spawn('/usr/sbin/mosquitto', ['-c', conf], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (await reachable(port)) return { port, url: `mqtt://127.0.0.1:${port}`, dir, process: child };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`mosquitto did not listen on ${port}`);
}

export async function stopMosquitto(broker: Broker): Promise<void> {
  if (broker.process.exitCode === null) {
    const exited = new Promise((r) => broker.process.once('exit', r));
    broker.process.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (broker.process.exitCode === null) broker.process.kill('SIGKILL');
  }
  fs.rmSync(broker.dir, { recursive: true, force: true });
}

/** Publishes with mosquitto_pub: a message string, or a file (-f) for big payloads. */
export async function pub(broker: Broker, topic: string, payload: { message: string } | { file: string }, retain = false): Promise<void> {
  const args = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-q', '1'];
  if ('message' in payload) args.push('-m', payload.message);
  else args.push('-f', payload.file);
  if (retain) args.push('-r');
  await run('mosquitto_pub', args, { timeout: 10_000 });
}

/** Adds and connects a generic MQTT profile through the UI, as a user would. */
export async function addGenericProfile(page: import('@playwright/test').Page, name: string, url: string, connect = true) {
  const { expect } = await import('@playwright/test');
  await page.getByRole('region', { name: 'Connections' }).getByRole('button', { name: '+ Add' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a profile' });
  await dialog.getByLabel('Name', { exact: true }).fill(name);
  await dialog.getByText('Generic MQTT').click();
  await dialog.getByLabel('Broker URL').fill(url);
  await dialog.getByRole('button', { name: 'Save profile' }).click();
  await expect(dialog).toBeHidden();
  const row = page.getByRole('region', { name: 'Connections' }).locator(`li[data-profile="${name}"]`);
  if (connect) {
    await row.getByRole('button', { name: 'Connect' }).click();
    await expect(row.getByText('connected', { exact: true })).toBeVisible();
  }
  return row;
}
