import { randomBytes, randomUUID } from 'node:crypto';
import type {
  KnownDevice,
  PairingHandshake,
  PairingStep,
  ParsedParamsOf,
  ProvisionResultDTO,
  WifiNetworkDTO,
} from '../../api.js';
import { ApiError } from '../../api.js';
import type { EventBus } from '../events.js';
import { ImprovClient } from '../pairing/improv-client.js';
import { openSerialPort, type SerialDuplex } from '../pairing/serial-port.js';
import { isTasmota, tasmotaSettings } from '../pairing/tasmota.js';
import { asPairingError, PairingError } from '../pairing/errors.js';
import { credentialsForToken, parseBrokerUrl, requireWifiKept } from '../pairing/flow.js';
import { listPorts } from '../pairing/discovery.js';
import type { BeebotteRest } from '../beebotte/rest-client.js';
import type { Profile } from '../profiles/profile.js';
import { BEEBOTTE_HOST } from '../profiles/profile.js';
import type { DeviceRegistry } from './registry.js';
import type { FirstMessageWaiters } from './first-message.js';

/**
 * A held pairing port is closed after this long without a call from the wizard (a reloaded page or a
 * closed tab never says goodbye); otherwise the port would stay locked until the app restarts.
 */
export const PAIRING_IDLE_MS = 5 * 60_000;

/** Timers for the idle close (tests inject their own). */
export interface PairingTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: PairingTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.(); // an idle pairing must not keep a headless process alive
    return t;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface Held {
  id: string;
  portPath: string;
  port: SerialDuplex;
  client: ImprovClient;
  info: PairingHandshake['device'];
  apiary: boolean;
  usb?: { serialNumber?: string; vendorId?: string; productId?: string };
  /** the idle timer; none while a call is running */
  idle?: unknown;
}

/** What the device connects with, and whether it is the profile's own channel token. */
interface DeviceBroker {
  url: string;
  username: string;
  password: string;
  fromProfile: boolean;
}

export interface PairingDeps {
  bus: EventBus;
  registry: DeviceRegistry;
  waiters: FirstMessageWaiters;
  profile(id: string): Profile;
  secret(profileId: string): Promise<string | null>;
  /** a generic profile's username, from the vault when it carries a token (secret-username.ts usernameOf) */
  username?: (profile: Profile) => Promise<string | undefined>;
  /** make sure the profile's session is live and subscribed to the topic */
  watch(profile: Profile, topic: string): Promise<void>;
  sandboxMqtt?: () => string | undefined;
  /**
   * The profile's Beebotte REST client (handlers/rest.ts restForProfile), to fetch a channel's token when
   * the profile holds account credentials. Without it such profiles need a typed channel token.
   */
  rest?: (profileId: string) => Promise<Pick<BeebotteRest, 'canAdmin' | 'channel'>>;
  /** the serial opener (tests inject; default: serialport) */
  openPort?: typeof openSerialPort;
  /** USB details of the port (tests inject; default: serialport's list) */
  listPorts?: typeof listPorts;
  /** default: setTimeout/clearTimeout */
  timers?: PairingTimers;
  /** default: PAIRING_IDLE_MS */
  idleMs?: number;
}

/** pairing.provision's checked params; keepWifi may be left out (false) by callers inside the core */
export type ProvisionParams = Omit<ParsedParamsOf<'pairing.provision'>, 'keepWifi'> & { keepWifi?: boolean };

/**
 * The desk's step-by-step pairing wizard: a port held open across steps (reopening resets many boards),
 * one pairing per port, and the first message awaited through the profile's live session.
 */
export class PairingManager {
  private readonly held = new Map<string, Held>();

  constructor(private readonly deps: PairingDeps) {}

  async start(portPath: string, baudRate?: number): Promise<PairingHandshake> {
    for (const h of this.held.values()) if (h.portPath === portPath) await this.cancel(h.id);
    const id = randomUUID().slice(0, 8);
    this.progress(id, 'open', `opening ${portPath}`);
    let port: SerialDuplex | undefined;
    try {
      port = await (this.deps.openPort ?? openSerialPort)(portPath, { ...(baudRate ? { baudRate } : {}) });
      const client = new ImprovClient(port);
      this.progress(id, 'handshake', 'asking the device who it is (Improv)');
      const state = await client.detect();
      const info = await client.deviceInfo();
      const apiary = isTasmota(info.firmware) ? false : await client.supportsApiaryExtension();
      const listed = (
        await (this.deps.listPorts ?? listPorts)().catch(() => ({ ports: [] as Awaited<ReturnType<typeof listPorts>>['ports'] }))
      ).ports.find((p) => p.path === portPath);
      const usb = listed
        ? {
            ...(listed.serialNumber ? { serialNumber: listed.serialNumber } : {}),
            ...(listed.vidPid ? { vendorId: listed.vidPid.split(':')[0], productId: listed.vidPid.split(':')[1] } : {}),
          }
        : undefined;
      const device = { firmware: info.firmware, version: info.version, chip: info.chip, name: info.name };
      const held: Held = { id, portPath, port, client, info: device, apiary, ...(usb ? { usb } : {}) };
      this.held.set(id, held);
      port.onClose(() => {
        this.stopIdle(held);
        if (this.held.get(id) === held) this.held.delete(id);
      });
      this.startIdle(held);
      this.progress(id, 'handshake', `${info.firmware} ${info.version} on ${info.chip} (${info.name})`);
      return { pairingId: id, port: portPath, device, state, apiaryExtension: apiary };
    } catch (err) {
      await port?.close().catch(() => undefined);
      throw this.fail(id, err);
    }
  }

  async scan(pairingId: string): Promise<WifiNetworkDTO[]> {
    const h = this.get(pairingId);
    this.stopIdle(h);
    this.progress(pairingId, 'scan', 'scanning Wi-Fi networks');
    try {
      return await h.client.scanNetworks();
    } catch (err) {
      throw this.fail(pairingId, err);
    } finally {
      if (this.held.get(pairingId) === h) this.startIdle(h);
    }
  }

  async provision(p: ProvisionParams): Promise<ProvisionResultDTO> {
    const h = this.get(p.pairingId);
    this.stopIdle(h); // a provisioning runs as long as it needs (up to its own timeouts)
    const topic = `${p.channel}/${p.resource}`;
    const profile = this.deps.profile(p.profileId);
    let broker: DeviceBroker;
    let replaces: KnownDevice | undefined;
    try {
      replaces = this.replaced(h, p.deviceId);
      // What the device gets is settled before the device is touched; a refusal here leaves the port
      // held, so the wizard can try again with a channel token.
      broker = await this.brokerFor(profile, p.channel, p.token);
      await this.watch(profile, topic, broker, p.channel); // subscribed before the device can publish
    } catch (err) {
      if (this.held.get(h.id) === h) this.startIdle(h);
      throw this.fail(h.id, err);
    }

    const abort = new AbortController();
    let arm: () => void = () => undefined;
    const armed = new Promise<void>((resolve) => (arm = resolve));
    try {
      if (p.keepWifi) {
        // MQTT settings only: no Wi-Fi step. Asked again now, not trusted from the handshake.
        this.progress(h.id, 'mqtt', 'MQTT settings only: checking that the board is on Wi-Fi');
        requireWifiKept(await h.client.detect(), h.info.name);
        if (!h.apiary && !isTasmota(h.info.firmware)) {
          throw new ApiError(
            'failed',
            `${h.info.firmware} does not take MQTT settings over serial (no Apiary extension): set the new token in its own UI`,
          );
        }
      } else {
        this.progress(h.id, 'wifi', `joining "${p.ssid}"`);
        await h.client.sendWifi(p.ssid ?? '', p.wifiPassword ?? '');
      }

      // listening from now on; the clock starts when the MQTT step is done
      const first = this.deps.waiters.wait(profile.id, topic, p.waitSeconds * 1000, abort.signal, armed);
      first.catch(() => undefined);

      const target = parseBrokerUrl(broker.url);
      let clientId = `apiary-${randomBytes(4).toString('hex')}`;
      if (isTasmota(h.info.firmware)) {
        const tasmota = tasmotaSettings(target, broker, p.channel, p.resource);
        this.progress(h.id, 'mqtt', tasmota.detail);
        await h.client.sendConsoleLine(tasmota.line);
      } else if (h.apiary) {
        this.progress(h.id, 'mqtt', `sending ${target.tls ? 'mqtts' : 'mqtt'}://${target.host}:${target.port}, topic ${topic}`);
        clientId = (await h.client.setMqtt({ ...target, username: broker.username, password: broker.password, clientId, topic }))
          .clientId;
      } else {
        throw new ApiError(
          'failed',
          `${h.info.firmware} joined Wi-Fi but does not take MQTT settings over serial (no Apiary extension): configure MQTT in its own UI`,
        );
      }
      arm();

      this.progress(h.id, 'first-message', `waiting up to ${p.waitSeconds} s for the first message on ${topic}`);
      // an unplug now is an unplug, not a "did not publish" timeout with the wrong advice
      const unplugged = new Promise<never>((_, reject) => {
        const fail = () =>
          reject(
            new PairingError(
              'disconnected',
              `the device disconnected (unplugged or reset?) while waiting for its first message on ${topic}`,
            ),
          );
        if (!h.port.isOpen) fail();
        else h.port.onClose(fail);
      });
      unplugged.catch(() => undefined);
      const message = await Promise.race([first, unplugged]);
      const now = Date.now();
      const device: KnownDevice = {
        id: replaces?.id ?? h.usb?.serialNumber ?? `${h.info.name}-${clientId}`.replace(/[^\w-]/g, '_').slice(0, 64),
        name: h.info.name,
        firmware: `${h.info.firmware} ${h.info.version}`,
        chip: h.info.chip,
        profileId: profile.id,
        channel: p.channel,
        resource: p.resource,
        clientId,
        pairedAt: replaces?.pairedAt ?? now,
        lastSeen: message.receivedAt,
        online: true,
        ...(h.usb?.serialNumber ? { serialNumber: h.usb.serialNumber } : {}),
        ...(h.usb?.vendorId ? { vendorId: h.usb.vendorId } : {}),
        ...(h.usb?.productId ? { productId: h.usb.productId } : {}),
      };
      // a device known by its serial number gets that id: drop the entry it replaces if that was another
      if (replaces && replaces.id !== device.id) this.deps.registry.remove(replaces.id);
      this.deps.registry.upsert(device);
      this.deps.bus.emit('devices.changed', this.deps.registry.list());
      this.progress(h.id, 'done', `Paired: ${h.info.name} published on ${topic}`);
      return { device, clientId, firstMessage: message };
    } catch (err) {
      throw this.fail(h.id, err);
    } finally {
      abort.abort();
      await this.cancel(h.id);
    }
  }

  /**
   * The known device a re-provision replaces. Refused before the device is touched when it is unknown,
   * or when the board on the port has another USB serial number than the one remembered.
   */
  private replaced(h: Held, deviceId: string | undefined): KnownDevice | undefined {
    if (deviceId === undefined) return undefined;
    const known = this.deps.registry.list().find((d) => d.id === deviceId);
    if (!known) throw new ApiError('not_found', `no paired device ${deviceId} (forgotten?): pair the board as a new device`);
    const here = h.usb?.serialNumber;
    if (known.serialNumber && here && here !== known.serialNumber) {
      throw new ApiError(
        'invalid_params',
        `the board on ${h.portPath} is not ${known.name}: its USB serial number is ${here}, not ${known.serialNumber}`,
      );
    }
    return known;
  }

  async cancel(pairingId: string): Promise<boolean> {
    const h = this.held.get(pairingId);
    if (!h) return false;
    this.held.delete(pairingId);
    this.stopIdle(h);
    await h.client.close().catch(() => undefined);
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.cancel(id)));
  }

  /** Where the device must connect, and with what: the profile's broker and a channel token of `channel`. */
  private async brokerFor(profile: Profile, channel: string, typed: string | undefined): Promise<DeviceBroker> {
    if (profile.kind === 'mqtt') {
      return {
        url: profile.url!,
        username: (this.deps.username ? await this.deps.username(profile) : profile.username) ?? '',
        password: (await this.deps.secret(profile.id)) ?? '',
        fromProfile: false,
      };
    }
    const port = profile.port ?? 8883;
    const url =
      profile.kind === 'sandbox' ? this.deps.sandboxMqtt?.() : `${port === 1883 ? 'mqtt' : 'mqtts'}://${BEEBOTTE_HOST}:${port}`;
    if (!url) throw new ApiError('failed', 'the embedded sandbox is not running');
    const { token, fromProfile } = await this.channelToken(profile, channel, typed);
    return { url, ...credentialsForToken(token), fromProfile };
  }

  /**
   * A device only ever gets a channel token of its own channel: the typed one, the profile's own channel
   * token, or — for a profile holding the account secret key or an IAM token, which must never leave this
   * process — the channel's token fetched over REST with those credentials (as account.copyToken does).
   */
  private async channelToken(
    profile: Profile,
    channel: string,
    typed: string | undefined,
  ): Promise<{ token: string; fromProfile: boolean }> {
    const type = profile.credentialType ?? 'channelToken';
    const secret = await this.deps.secret(profile.id);
    if (typed) {
      if (type !== 'channelToken' && secret && bare(typed) === bare(secret)) {
        throw new ApiError(
          'invalid_params',
          `that is ${profile.name}'s own account credential, not a channel token: a device gets only the token of channel ${channel}`,
        );
      }
      return { token: typed, fromProfile: false };
    }
    if (type === 'channelToken') {
      if (!secret)
        throw new ApiError(
          'invalid_params',
          `${profile.name} has no channel token to give the device: type channel ${channel}'s token`,
        );
      return { token: secret, fromProfile: true };
    }
    const holds = type === 'secretKey' ? 'the account secret key' : 'an IAM token';
    const refuse = (why: string) =>
      new ApiError(
        'invalid_params',
        `${profile.name} holds ${holds}; a device gets only a channel token: type channel ${channel}'s token${why}`,
      );
    if (!this.deps.rest) throw refuse('');
    let token: string | undefined;
    let rest: Awaited<ReturnType<NonNullable<PairingDeps['rest']>>>;
    try {
      rest = await this.deps.rest(profile.id);
    } catch (err) {
      throw refuse(`, or fix the profile so Apiary can fetch it (${(err as Error).message})`);
    }
    if (!rest.canAdmin) throw refuse(' (this credential cannot read channel tokens over REST)');
    try {
      token = (await rest.channel(channel)).token;
    } catch (err) {
      throw refuse(` (fetching it over REST failed: ${(err as Error).message})`);
    }
    if (!token) throw refuse(` (the server did not return a token for ${channel})`);
    return { token, fromProfile: false };
  }

  /**
   * Subscribes the profile's session to the topic. A channel token only gets a subscription on its own
   * channel, so a refusal (SUBACK 0x80) of the profile's own token means it belongs to another channel.
   */
  private async watch(profile: Profile, topic: string, broker: DeviceBroker, channel: string): Promise<void> {
    try {
      await this.deps.watch(profile, topic);
    } catch (err) {
      if (broker.fromProfile && /SUBACK 0x[89a-f]/i.test((err as Error).message)) {
        throw new ApiError(
          'invalid_params',
          `${profile.name}'s channel token has no rights on ${topic}: it is another channel's token — type channel ${channel}'s token`,
        );
      }
      throw err;
    }
  }

  private startIdle(h: Held): void {
    this.stopIdle(h);
    const ms = this.deps.idleMs ?? PAIRING_IDLE_MS;
    h.idle = (this.deps.timers ?? realTimers).set(() => {
      h.idle = undefined;
      if (this.held.get(h.id) !== h) return;
      this.progress(
        h.id,
        'failed',
        `closed ${h.portPath}: the pairing was idle for ${Math.round(ms / 60_000)} min — start again`,
      );
      void this.cancel(h.id);
    }, ms);
  }

  private stopIdle(h: Held): void {
    if (h.idle === undefined) return;
    (this.deps.timers ?? realTimers).clear(h.idle);
    h.idle = undefined;
  }

  private get(pairingId: string): Held {
    const h = this.held.get(pairingId);
    if (!h)
      throw new ApiError(
        'not_found',
        'this pairing is no longer open (the device was unplugged or the pairing cancelled): start again',
      );
    return h;
  }

  private fail(pairingId: string, err: unknown): ApiError {
    const message = err instanceof ApiError ? err.message : asPairingError(err).message;
    this.progress(pairingId, 'failed', message);
    return err instanceof ApiError ? err : new ApiError('failed', message);
  }

  private progress(pairingId: string, step: PairingStep['step'], message: string): void {
    this.deps.bus.emit('pairing.progress', { pairingId, step, message });
  }
}

/** A token without the legacy `token:` prefix. */
function bare(token: string): string {
  return token.startsWith('token:') ? token.slice(6) : token;
}
