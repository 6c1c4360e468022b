/**
 * The Beebotte-compatible sandbox: accounts (SQLite), MQTT and MQTT over TLS (aedes), REST v1 (fastify)
 * and the WebSocket API (socket.io) on one HTTP port. See README.md in this folder.
 */
import { createServer as createNetServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { skipMqttNumberCache } from '../common/mqtt-numbers.js';
import { SandboxAccounts } from './accounts.js';
import { Bridge } from './bridge.js';
import { BeeruleStore } from './beerules.js';
import { BeeruleRunner } from './beerules-runner.js';
import { ConnectionRegistry } from './connections.js';
import { DataService } from './data.js';
import { openDb } from './db.js';
import { type Tracked, closeTracked, listen, track, urlHost } from './listeners.js';
import { SandboxBroker } from './mqtt-broker.js';
import { DEFAULT_RETENTION, RecordStore } from './records.js';
import { createRestServer } from './rest/server.js';
import { type DemoCredentials, type SeedFile, applySeed, ensureDemo, parseSeed } from './seed.js';
import { type TlsMaterial, caPathIn, ensureTlsMaterial } from './tls-certs.js';
import { createDeferredTlsListener } from './tls-listener.js';
import { SandboxWebSocket } from './websocket.js';

export { SandboxAccounts } from './accounts.js';
export type { SeedFile, DemoCredentials } from './seed.js';
export { loadSeedFile, parseSeed } from './seed.js';
export type { AccountInfo, ChannelInfo, ResourceInfo, ChannelSpec, ResourceSpec, Principal } from './model.js';

export interface SandboxOptions {
  /** SQLite database and TLS material live here. */
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 = any free port (default 0). */
  mqttPort?: number;
  /** 0 = any free port (default 0); null = no TLS listener. */
  mqttsPort?: number | null;
  /** REST and socket.io share this HTTP port; 0 = any free port (default 0). */
  httpPort?: number;
  /** Accounts to create (idempotent); absent => the demo account. */
  seed?: SeedFile;
  retention?: { maxRecordsPerResource?: number; maxAgeDays?: number };
  /** Largest REST body / WebSocket message accepted (default 128 KiB); larger gets 400/1406. */
  maxBodyBytes?: number;
  /** An MQTT socket that has not sent a complete CONNECT by then is closed (default 5000 ms). */
  mqttConnectTimeoutMs?: number;
  /** Never receives secrets. */
  log?: (line: string) => void;
  /**
   * Return before a first run's TLS material is made (the TLS port listens at once; its clients wait for the
   * certificate): the app's embedded sandbox, whose first screen needs no TLS. Default false: `apiary sandbox`
   * prints the CA's path when ready, so the file must exist by then.
   */
  tlsInBackground?: boolean;
  /**
   * With tlsInBackground: a first run makes its TLS material only this long after the start, or at once when a TLS
   * client connects or `tlsReady` is asked for (default 0: at once), and then only once the event loop is calm
   * (whenCalm: not while a flood keeps it busy, at most 5 min later). The app's desk sets a few seconds: the keys and
   * certificates (~0.2 s of CPU, ~8 MB) would otherwise compete with the desk's first screen on a small machine.
   */
  tlsDelayMs?: number;
}

export interface SandboxHandle {
  urls: { mqtt: string; mqtts?: string; http: string; ws: string };
  caPath: string;
  /**
   * Resolves once the CA file at caPath exists (at once unless tlsInBackground made the material on a first run).
   * Asking for it starts making the material if tlsDelayMs has not yet.
   */
  readonly tlsReady: Promise<void>;
  demo?: DemoCredentials;
  accounts: SandboxAccounts;
  close(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions): Promise<SandboxHandle> {
  const log = options.log ?? (() => undefined);
  const host = options.host ?? '127.0.0.1';
  const maxBodyBytes = options.maxBodyBytes ?? 128 * 1024;
  const seed = options.seed ? parseSeed(options.seed) : undefined;
  skipMqttNumberCache(); // before aedes writes its first packet: see mqtt-numbers.ts

  const db = openDb(options.dataDir);
  const cleanups: Array<() => Promise<void> | void> = [() => void db.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        log(`sandbox: error while closing: ${(err as Error).message}`);
      }
    }
  };

  try {
    const accounts = new SandboxAccounts(db);
    const records = new RecordStore(db, { ...DEFAULT_RETENTION, ...stripUndefined(options.retention ?? {}) });
    cleanups.push(() => records.close());
    let demo: DemoCredentials | undefined;
    if (seed) applySeed(accounts, seed);
    else demo = ensureDemo(accounts);

    const connections = new ConnectionRegistry();
    accounts.on('tokenRevoked', ({ owner, token }) => {
      const dropped = connections.dropToken(owner, token);
      if (dropped) log(`sandbox: dropped ${dropped} connection(s) that used a revoked token of ${owner}`);
    });
    const data = new DataService(accounts, records, new Bridge());
    const beeruleStore = new BeeruleStore(db);
    const beerules = { store: beeruleStore, runner: new BeeruleRunner(beeruleStore, data, log) };
    cleanups.push(() => beerules.runner.close());

    // first run: the TLS keys are made on the thread pool while the broker and the MQTT listener start — or, with
    // tlsDelayMs, later or when first needed (a TLS client, or tlsReady asked for)
    let material: Promise<TlsMaterial> | null = null;
    let tlsMade: Promise<void> | null = null;
    const tlsMaterial = (): Promise<TlsMaterial> => {
      if (!material) {
        material = ensureTlsMaterial(options.dataDir);
        tlsMade = material.then(
          () => undefined,
          (err: Error) => log(`sandbox: cannot make the TLS certificate (MQTT/TLS refuses clients): ${err.message}`),
        );
      }
      return material;
    };
    const tlsDelayMs = options.tlsInBackground ? (options.tlsDelayMs ?? 0) : 0;
    if (tlsDelayMs > 0) {
      const stop = whenCalm(tlsDelayMs, () => void tlsMaterial());
      cleanups.push(stop);
    } else tlsMaterial();
    const broker = await SandboxBroker.create({
      data,
      connections,
      log,
      maxBodyBytes,
      ...(options.mqttConnectTimeoutMs !== undefined ? { connectTimeoutMs: options.mqttConnectTimeoutMs } : {}),
    });
    cleanups.push(() => broker.close());

    const mqtt = track(createNetServer((socket) => broker.handle(socket, 'mqtt', socket.remoteAddress)));
    cleanups.push(() => closeTracked(mqtt));
    const mqttPort = await listen(mqtt.server, options.mqttPort ?? 0, host, 'MQTT', '--mqtt-port');

    if (!options.tlsInBackground) await tlsMaterial();
    let mqttsPort: number | null = null;
    if (options.mqttsPort !== null) {
      const mqtts: Tracked = createDeferredTlsListener(tlsMaterial, (socket, remoteAddress) =>
        broker.handle(socket, 'mqtts', remoteAddress),
      );
      cleanups.push(() => closeTracked(mqtts));
      mqttsPort = await listen(mqtts.server, options.mqttsPort ?? 0, host, 'MQTT/TLS', '--mqtts-port');
    }

    const rest = createRestServer({ data, connections, maxBodyBytes, log, beerules });
    const ws = new SandboxWebSocket(rest.server, { data, connections, maxMessageBytes: maxBodyBytes, log });
    cleanups.push(() => rest.close());
    cleanups.push(() => ws.close());
    const httpPort = await listenHttp(rest, options.httpPort ?? 0, host);

    const h = urlHost(host);
    const urls: SandboxHandle['urls'] = {
      mqtt: `mqtt://${h}:${mqttPort}`,
      http: `http://${h}:${httpPort}`,
      ws: `ws://${h}:${httpPort}`,
    };
    if (mqttsPort !== null) urls.mqtts = `mqtts://${h}:${mqttsPort}`;
    log(`sandbox: MQTT ${urls.mqtt}${urls.mqtts ? `, MQTT/TLS ${urls.mqtts}` : ''}, REST and WebSocket ${urls.http}`);

    let closing: Promise<void> | null = null;
    const handle: SandboxHandle = {
      urls,
      caPath: caPathIn(options.dataDir),
      get tlsReady() {
        tlsMaterial();
        return tlsMade!;
      },
      accounts,
      close: () => (closing ??= closeAll()),
    };
    if (demo) handle.demo = demo;
    return handle;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

async function listenHttp(app: ReturnType<typeof createRestServer>, port: number, host: string): Promise<number> {
  try {
    await app.listen({ port, host });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new Error(`HTTP port ${port} on ${host} is in use: choose another with --http-port (0 = any free port)`, {
        cause: err,
      });
    throw new Error(`HTTP cannot listen on ${host}:${port}: ${code ?? (err as Error).message}`, { cause: err });
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Above this share of busy event loop over the last check, background work waits (a flood is being received). */
const BUSY_LOOP = 0.3;
const CALM_CHECK_MS = 2000;
const MAX_CALM_WAIT_MS = 300_000;

/**
 * Runs `work` after `delayMs`, once the event loop is calm: background chores (a first run's TLS certificates) wait
 * while a flood of messages keeps this process busy, instead of taking CPU and heap from it; after MAX_CALM_WAIT_MS
 * they run anyway. Returns a cancel. What needs the work sooner (a TLS client) asks for it directly.
 */
function whenCalm(delayMs: number, work: () => void): () => void {
  let timer: NodeJS.Timeout;
  let waited = 0;
  let last = performance.eventLoopUtilization();
  const check = () => {
    const now = performance.eventLoopUtilization();
    const busy = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    if (busy < BUSY_LOOP || waited >= MAX_CALM_WAIT_MS) return work();
    waited += CALM_CHECK_MS;
    timer = setTimeout(check, CALM_CHECK_MS).unref();
  };
  timer = setTimeout(check, delayMs).unref();
  return () => clearTimeout(timer);
}
