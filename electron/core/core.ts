import path from 'node:path';
import fs from 'node:fs';
import type { AppInfo, EventPayloads, MethodName } from '../api.js';
import { ApiError, parseCall } from '../api.js';
import { EventBus } from './events.js';
import { appVersion } from './version.js';
import { Ingest } from './ingest/ingest.js';
import type { Platform } from './platform.js';
import { ProfileStore } from './profiles/profile-store.js';
import { SANDBOX_PROFILE_ID, type Profile } from './profiles/profile.js';
import { buildSessionConfig } from './profiles/connection.js';
import { migrateTokenUsernames, usernameOf } from './profiles/secret-username.js';
import { SessionManager } from './session/manager.js';
import { openDatabase, MessageLog, OffThreadWriter, Outbox, Settings } from './store/index.js';
import { Vault, VaultError } from './vault/index.js';
import { startSandbox, type SandboxHandle } from '../sandbox/index.js';
import { DemoSensor } from './embedded/demo-sensor.js';
import { createHandlers, type Handlers } from './handlers/index.js';
import { exportsDir } from './handlers/messages.js';
import { applySettings, readSettings } from './handlers/settings.js';
import { TopicStats } from './explorer/topic-stats.js';
import { CodecTable } from './codecs/index.js';
import { AlertService } from './alerts/service.js';
import { PresenceService } from './account/presence.js';
import { presenceSourceFor } from './account/presence-source.js';
import { ComposerStore } from './composer/templates.js';
import { ConsoleSessions } from './devices/console-sessions.js';
import { DeviceRegistry } from './devices/registry.js';
import { FirstMessageWaiters } from './devices/session-first-message.js';
import { PairingManager } from './devices/pairing-manager.js';
import { iamAccess } from './devices/device-token.js';
import { restForProfile } from './handlers/rest.js';
import { watchPorts, type PortWatcher } from './pairing/discovery.js';
import { keepHeapCompact } from './heap.js';
import { skipMqttNumberCache } from '../common/mqtt-numbers.js';

export interface CoreOptions {
  /** start the embedded Beebotte-compatible sandbox and the built-in "Sandbox" profile (default true) */
  embeddedSandbox?: boolean;
  /** publish simulated demo readings into the sandbox (default true with the sandbox) */
  demoSensor?: boolean;
  /** connect the sandbox profile at start (default true) */
  autoConnectSandbox?: boolean;
  flushMs?: number;
  /** poll serial ports for plug/unplug (default true) */
  watchSerial?: boolean;
}

export interface Core {
  readonly bus: EventBus;
  /** The single entry for every UI call: validates, then dispatches. Throws ApiError. */
  call(method: unknown, params: unknown): Promise<unknown>;
  info(): Promise<AppInfo>;
  /** where finished exports are written (the host serves them for download) */
  readonly exportsDir: string;
  /** the services behind the contract: for tests and benchmarks; shells use call() (lint refuses .services there) */
  readonly services: CoreServices;
  close(): Promise<void>;
}

export interface CoreServices {
  bus: EventBus;
  profiles: ProfileStore;
  vault: Vault;
  sessions: SessionManager;
  log: MessageLog;
  outbox: Outbox;
  ingest: Ingest;
  sandbox: SandboxHandle | null;
  platform: Platform;
  settings: Settings;
  /** the message log's writes, on a worker thread; reads await writer.settled() */
  writer: OffThreadWriter;
  topics: TopicStats;
  alerts: AlertService;
  /** the codec per topic filter (remembered in the settings); ingest asks it once per message */
  codecs: CodecTable;
  composer: ComposerStore;
  devices: DeviceRegistry;
  pairing: PairingManager;
  /** serial consoles open in the desk (closed with the core) */
  consoles: ConsoleSessions;
  /** who is connected to each watched profile's account (Connections view, connect/disconnect alerts) */
  presence: PresenceService;
  /** the built-in sandbox profile's token was regenerated: the demo sensor follows */
  onDemoTokenChanged?: (token: string) => void;
}

const version = appVersion();

/**
 * Work the first screen does not need starts this long after the core: the sandbox's TLS material (a first run),
 * serial-port watching. On a 2-core machine the desk's first load (this process and the
 * browser's page) takes 1–3 s, and each of these took CPU from it (issue 19: startup to the first reading).
 */
const AFTER_FIRST_SCREEN_MS = 5000;

/** Composition root: builds every service from a Platform. The shells only add transports. */
export async function createCore(platform: Platform, options: CoreOptions = {}): Promise<Core> {
  // a flood must not let V8 pile up garbage to 3–4× the live heap (see heap.ts). At once, not after the first
  // screen: set 5 s in, the limits V8 had grown while starting stayed, and the host's RSS under the bench's memory
  // flood read 201–203 MB against 178–182 set here, for no startup time measurable (1.39–1.51 s both ways)
  keepHeapCompact();
  skipMqttNumberCache(); // before the first packet: see mqtt-numbers.ts
  fs.mkdirSync(platform.dataDir, { recursive: true, mode: 0o700 });
  const bus = new EventBus();
  const db = openDatabase(path.join(platform.dataDir, 'apiary.db'));
  const log = new MessageLog(db);
  const outbox = new Outbox(db);
  const settings = new Settings(db);
  const vault = new Vault(platform.secrets, { log: platform.log });
  const profiles = new ProfileStore(path.join(platform.dataDir, 'profiles.json'));
  // an older version wrote token usernames of generic profiles to profiles.json: into the vault with them
  await migrateTokenUsernames(profiles, vault, platform.log);
  const writer = new OffThreadWriter(log, path.join(platform.dataDir, 'apiary.db'), platform.log);
  const codecs = new CodecTable(settings, platform.resourcesDir, (line) => platform.log.warn(line));
  const ingest = new Ingest({ sink: writer, bus, clock: platform.clock, log: platform.log, flushMs: options.flushMs ?? 75, codecs });

  let sandbox: SandboxHandle | null = null;
  let sensor: DemoSensor | null = null;
  if (options.embeddedSandbox ?? true) {
    sandbox = await startSandbox({
      dataDir: path.join(platform.dataDir, 'sandbox'),
      mqttPort: 0,
      mqttsPort: 0,
      httpPort: 0,
      // a first run's TLS keys are made once the desk is open (or when a TLS client needs them): the first screen
      // needs no TLS
      tlsInBackground: true,
      tlsDelayMs: AFTER_FIRST_SCREEN_MS,
      log: (line: string) => platform.log.info(line),
    });
    if (sandbox.demo) {
      profiles.putBuiltIn(sandboxProfile());
      await vault.save(SANDBOX_PROFILE_ID, sandbox.demo.token, 'ask');
      if (options.demoSensor ?? true) {
        sensor = new DemoSensor(sandbox.urls.mqtt, sandbox.demo.token);
        startWhenSandboxSessionIsUp(bus, sensor, options.autoConnectSandbox ?? true);
      }
    }
  }

  const sessions = new SessionManager({
    bus,
    ingest,
    outbox,
    clock: platform.clock,
    log: platform.log,
    configFor: async (profile: Profile, secretOverride?: string) => {
      // a TLS profile on the embedded sandbox needs its CA file, which a first run is still making
      if (profile.tls && sandbox) await sandbox.tlsReady;
      const secret = secretOverride ?? (await vault.read(profile.id));
      const username = await usernameOf(vault, profile);
      return buildSessionConfig(profile, secret, {
        resourcesDir: platform.resourcesDir,
        ...(username !== undefined ? { username } : {}),
        ...(sandbox ? { sandbox: { mqtt: sandbox.urls.mqtt, mqtts: sandbox.urls.mqtts, ca: sandbox.caPath } } : {}),
      });
    },
  });

  const topics = new TopicStats(bus, undefined, () => platform.clock.now());
  const composer = new ComposerStore(settings, db, platform.log);
  const devices = new DeviceRegistry(settings);
  const waiters = new FirstMessageWaiters();
  const presence = new PresenceService({ bus, clock: platform.clock, log: platform.log, sourceFor: (id) => presenceSourceFor(services, id) });
  const alerts = new AlertService({
    db,
    bus,
    clock: platform.clock,
    log: platform.log,
    sessions: () => profiles.list().map((p) => sessions.state(p.id)),
    profiles: () => profiles.list().map((p) => ({ id: p.id, name: p.name })),
    templates: () => composer.templates().map((t) => ({ id: t.id, name: t.name, topic: t.topic })),
    presenceProfiles: (ids) => presence.setAlertProfiles(ids),
  });
  presence.onEvent((event) => alerts.observePresence(event));
  ingest.addObserver(topics);
  ingest.addObserver(alerts);
  ingest.addObserver(waiters);
  ingest.addObserver({
    observe: (m) => {
      if (devices.seen(m.profileId, m.topic, m.receivedAt)) bus.emit('devices.changed', devices.list());
    },
  });
  const consoles = new ConsoleSessions(bus);
  const pairing = new PairingManager({
    bus,
    registry: devices,
    waiters,
    profile: (id) => {
      const p = profiles.get(id);
      if (!p) throw new ApiError('not_found', `no profile with id ${id}`);
      return p;
    },
    secret: (id) => vault.read(id),
    username: (profile) => usernameOf(vault, profile),
    watch: async (profile, topic) => {
      const status = sessions.state(profile.id).status;
      if (status === 'idle' || status === 'closed' || status === 'failed') await sessions.connect(profile);
      await sessions.subscribe(profile.id, topic);
    },
    sandboxMqtt: () => sandbox?.urls.mqtt,
    // a secret-key or IAM profile pairs a device with its channel's token, fetched over REST (as account.copyToken)
    rest: (id) => restForProfile(services, id),
    // a profile that may administer IAM gives each device a token of its own (devices/device-token.ts)
    iam: (profile) => iamAccess({ secret: (id) => vault.read(id), rest: (id) => restForProfile(services, id) }, profile),
  });

  const services: CoreServices = {
    bus,
    profiles,
    vault,
    sessions,
    log,
    outbox,
    ingest,
    sandbox,
    platform,
    settings,
    writer,
    topics,
    alerts,
    codecs,
    composer,
    devices,
    pairing,
    consoles,
    presence,
    onDemoTokenChanged: (token) => {
      // the regenerated demo token: the sandbox's record of its demo account, and the demo sensor, follow it
      if (sandbox?.demo) sandbox.demo.token = token;
      sensor?.setUsername(token);
    },
  };

  const info = async (): Promise<AppInfo> => ({
    name: 'Apiary',
    version,
    shell: platform.shell,
    keychain: await vault.status(),
    ...(sandbox
      ? { sandbox: { mqtt: sandbox.urls.mqtt, mqtts: sandbox.urls.mqtts, http: sandbox.urls.http, ws: sandbox.urls.ws, ca: sandbox.caPath } }
      : {}),
  });
  applySettings(services, readSettings(services));

  // "ESP32 (CP2102) connected — pair it?": plugged boards become events (the tray notifies when hidden)
  let portWatcher: PortWatcher | null = null;
  const startPortWatcher = () => {
    portWatcher = watchPorts({
      intervalMs: 2000,
      onEvent: (e) => {
        if (e.kind !== 'added') return;
        const [vendorId, productId] = e.port.vidPid?.split(':') ?? [];
        bus.emit('device.plugged', {
          path: e.port.path,
          ...(e.port.board ? { board: e.port.board } : {}),
          ...(vendorId ? { vendorId } : {}),
          ...(productId ? { productId } : {}),
          ...(e.port.serialNumber ? { serialNumber: e.port.serialNumber } : {}),
          ...(e.port.manufacturer ? { manufacturer: e.port.manufacturer } : {}),
        });
      },
      onWarning: (w) => platform.log.warn(`serial discovery: ${w}`),
    });
  };
  // its first listing (the serial library, udevadm) waits for the first screen; a board plugged before then is
  // listed as present, as one plugged before the start
  const portWatchStart = (options.watchSerial ?? true) ? setTimeout(startPortWatcher, AFTER_FIRST_SCREEN_MS) : undefined;
  portWatchStart?.unref?.();
  const handlers: Handlers = createHandlers(services, info);

  for (const profile of profiles.list()) {
    const wanted = profile.id === SANDBOX_PROFILE_ID ? (options.autoConnectSandbox ?? true) : profile.autoConnect;
    if (wanted) await sessions.connect(profile).catch((err: Error) => platform.log.warn(`${profile.name}: ${err.message}`));
  }

  return {
    bus,
    services,
    info,
    exportsDir: exportsDir(services),
    async call(method: unknown, params: unknown): Promise<unknown> {
      const parsed = parseCall(method, params);
      const handler = handlers[parsed.method as MethodName] as (p: unknown) => Promise<unknown>;
      try {
        return await handler(parsed.params);
      } catch (err) {
        if (err instanceof ApiError) throw err;
        if (err instanceof VaultError) throw new ApiError('failed', err.message);
        throw new ApiError('failed', (err as Error).message ?? String(err));
      }
    },
    async close() {
      clearTimeout(portWatchStart);
      portWatcher?.stop();
      alerts.close();
      await presence.close();
      await pairing.closeAll();
      await consoles.closeAll();
      await sessions.closeAll();
      ingest.close();
      topics.close(); // its once-a-second rate tick
      await writer.close();
      await sensor?.stop();
      await sandbox?.close();
      try {
        composer.close(); // the publish history it still holds (a disk-full refusal must not stop the close)
      } catch (err) {
        platform.log.warn(`publish history not saved: ${(err as Error).message}`);
      }
      db.close();
    },
  };
}

function sandboxProfile(): Profile {
  return {
    id: SANDBOX_PROFILE_ID,
    name: 'Sandbox (demo)',
    kind: 'sandbox',
    tls: false,
    credentialType: 'channelToken',
    protocolVersion: 4,
    verifyTls: true,
    subscriptions: ['demo/#'],
    autoConnect: true,
    secretMode: 'ask',
    builtIn: true,
  };
}

/**
 * The demo sensor reports its first reading as soon as it is online; started before Apiary's own sandbox session
 * has subscribed, that reading is lost and the first screen waits a whole period for the next. So it starts when
 * that session is connected (or at once when the session is not auto-connected; at the latest after 3 s).
 */
function startWhenSandboxSessionIsUp(bus: EventBus, sensor: DemoSensor, sessionComing: boolean): void {
  if (!sessionComing) return sensor.start();
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    stop();
    clearTimeout(fallback);
    sensor.start();
  };
  const stop = bus.subscribe((event, data) => {
    if (event !== 'session.state') return;
    const state = data as EventPayloads['session.state'];
    if (state.profileId === SANDBOX_PROFILE_ID && state.status === 'connected') start();
  });
  const fallback = setTimeout(start, 3000);
  fallback.unref?.();
}
