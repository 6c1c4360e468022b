/**
 * The desk's step-by-step pairing wizard over the one provisioning pipeline (pairing/flow.ts): a board held
 * open across steps (reopening resets many boards), one pairing per port, the device's credentials settled
 * before it is touched, and the first message awaited through the profile's live session. Pipeline steps
 * become pairing.progress events; a failure carries its typed code.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  KnownDevice,
  MessageDTO,
  PairingHandshake,
  PairingStep,
  ParsedParamsOf,
  ProvisionResultDTO,
  WifiNetworkDTO,
} from '../../api.js';
import { ApiError } from '../../api.js';
import type { EventBus } from '../events.js';
import { openBoard, type Board } from '../pairing/board.js';
import { describeBoard } from '../pairing/board.js';
import { openSerialPort } from '../pairing/serial-port.js';
import { asPairingError, PairingError, type PairingErrorCode } from '../pairing/errors.js';
import { provisionDevice } from '../pairing/flow.js';
import { listPorts } from '../pairing/discovery.js';
import type { Profile } from '../profiles/profile.js';
import type { DeviceRegistry } from './registry.js';
import type { FirstMessageWaiters } from './session-first-message.js';
import { beebotteDeviceUrl, deviceBrokerFor, type CredentialDeps, type ProfileDeviceBroker } from './device-credentials.js';
import { mintDeviceToken, type MintedDeviceToken } from './device-token.js';
import { credentialsForToken } from '../pairing/device-broker.js';
import type { IamClient } from '../beebotte/iam-client.js';
import { knownDevice, replacedDevice, type UsbIdentity } from './known-device.js';
import { IdleCloser, type PairingTimers } from './idle-closer.js';

export { PAIRING_IDLE_MS, type PairingTimers } from './idle-closer.js';

interface Held {
  id: string;
  board: Board;
  usb?: UsbIdentity;
}

export interface PairingDeps extends CredentialDeps {
  bus: EventBus;
  registry: DeviceRegistry;
  waiters: FirstMessageWaiters;
  profile(id: string): Profile;
  /** make sure the profile's session is live and subscribed to the topic */
  watch(profile: Profile, topic: string): Promise<void>;
  /** the serial opener (tests inject; default: serialport) */
  openPort?: typeof openSerialPort;
  /** USB details of the port (tests inject; default: serialport's list) */
  listPorts?: typeof listPorts;
  /** default: setTimeout/clearTimeout */
  timers?: PairingTimers;
  /** default: PAIRING_IDLE_MS */
  idleMs?: number;
  /** the profile's IAM client when it may mint device tokens, else why not (device-token.ts iamAccess) */
  iam?: (profile: Profile) => Promise<{ iam: IamClient } | { reason: string }>;
}

/** pairing.provision's checked params; keepWifi and keepMqtt may be left out (false) by callers inside the core */
export type ProvisionParams = Omit<ParsedParamsOf<'pairing.provision'>, 'keepWifi' | 'keepMqtt'> & {
  keepWifi?: boolean;
  keepMqtt?: boolean;
};

export class PairingManager {
  private readonly held = new Map<string, Held>();
  private readonly idle: IdleCloser;

  constructor(private readonly deps: PairingDeps) {
    this.idle = new IdleCloser(deps.timers, deps.idleMs, (id, minutes) => {
      const h = this.held.get(id);
      if (!h) return;
      this.progress(id, 'failed', `closed ${h.board.portPath}: the pairing was idle for ${minutes} min — start again`);
      void this.cancel(id);
    });
  }

  async start(portPath: string, baudRate?: number): Promise<PairingHandshake> {
    for (const h of this.held.values()) if (h.board.portPath === portPath) await this.cancel(h.id);
    const id = randomUUID().slice(0, 8);
    this.progress(id, 'open', `opening ${portPath}`);
    try {
      const board = await openBoard(portPath, {
        serial: { ...(baudRate ? { baudRate } : {}), owner: 'the pairing wizard' },
        ...(this.deps.openPort ? { openPort: this.deps.openPort } : {}),
        onOpened: () => this.progress(id, 'handshake', 'asking the device who it is (Improv)'),
      });
      const usb = await this.usbOf(portPath);
      const held: Held = { id, board, ...(usb ? { usb } : {}) };
      this.held.set(id, held);
      void board.client.disconnected.then(() => {
        this.idle.stop(id);
        if (this.held.get(id) === held) this.held.delete(id);
      });
      this.idle.start(id);
      this.progress(id, 'handshake', describeBoard(board.device));
      return { pairingId: id, port: portPath, device: board.device, state: board.state, apiaryExtension: board.apiary };
    } catch (err) {
      throw this.fail(id, err);
    }
  }

  async scan(pairingId: string): Promise<WifiNetworkDTO[]> {
    const h = this.get(pairingId);
    this.idle.stop(h.id);
    this.progress(pairingId, 'scan', 'scanning Wi-Fi networks');
    try {
      return await h.board.client.scanNetworks();
    } catch (err) {
      const e = asPairingError(err);
      e.deviceLog ??= h.board.client.recentLog();
      throw this.fail(pairingId, e);
    } finally {
      if (this.held.get(pairingId) === h) this.idle.start(h.id);
    }
  }

  async provision(p: ProvisionParams): Promise<ProvisionResultDTO> {
    const h = this.get(p.pairingId);
    this.idle.stop(h.id); // a provisioning runs as long as it needs (up to its own timeouts)
    const topic = `${p.channel}/${p.resource}`;
    const profile = this.deps.profile(p.profileId);
    let broker: ProfileDeviceBroker;
    let replaces: KnownDevice | undefined;
    let minted: { iam: IamClient; token: MintedDeviceToken } | null = null;
    try {
      replaces = replacedDevice(this.deps.registry, p.deviceId, h.board.portPath, h.usb);
      if (p.keepMqtt && p.deviceToken)
        throw new ApiError('invalid_params', 'Wi-Fi only sends no MQTT settings: no device token to give');
      // What the device gets is settled before the device is touched; a refusal here leaves the port
      // held, so the wizard can try again with a channel token.
      minted = await this.deviceToken(p, profile, h);
      broker = minted
        ? { url: beebotteDeviceUrl(this.deps, profile), ...credentialsForToken(minted.token.token), fromProfile: false }
        : await deviceBrokerFor(this.deps, profile, p.channel, p.token);
      await this.watch(profile, topic, broker, p.channel); // subscribed before the device can publish
    } catch (err) {
      await this.dropMinted(minted);
      if (this.held.get(h.id) === h) this.idle.start(h.id);
      throw this.fail(h.id, err);
    }

    try {
      let message: MessageDTO | undefined;
      const generated = `apiary-${randomBytes(4).toString('hex')}`;
      const result = await provisionDevice(
        {
          portPath: h.board.portPath,
          board: h.board,
          wifi: p.keepWifi ? 'keep' : { ssid: p.ssid ?? '', password: p.wifiPassword ?? '' },
          ...(p.keepMqtt ? { mqtt: 'keep' as const } : {}),
          broker,
          channel: p.channel,
          resource: p.resource,
          clientId: generated,
          firstMessageTimeoutMs: p.waitSeconds * 1000,
        },
        {
          waitForFirstMessage: async (_c, _r, ms, signal, armed) => {
            message = await this.deps.waiters.wait(profile.id, topic, ms, signal, armed);
            return { topic, payload: message.envelope ?? message.preview, receivedAt: message.receivedAt };
          },
          onProgress: (step) => {
            if (step.status === 'start') this.progress(h.id, step.step, step.detail ?? step.step);
          },
        },
      );
      if (!result.ok) {
        const failed = new PairingError(result.code, result.error);
        if (result.deviceLog) failed.deviceLog = result.deviceLog;
        await this.dropMinted(minted); // the board did not take it: no token of nobody's stays in the account
        minted = null;
        throw failed;
      }
      // Wi-Fi only: the board kept its MQTT settings, so its client id and token are the ones it had
      const kept = p.keepMqtt ? replaces : undefined;
      const clientId = result.clientId ?? kept?.clientId ?? generated;
      const device = knownDevice({
        info: h.board.device,
        usb: h.usb,
        profileId: profile.id,
        channel: p.channel,
        resource: p.resource,
        clientId,
        lastSeen: message?.receivedAt ?? Date.now(),
        replaces,
        now: Date.now(),
        ...(minted
          ? { iamToken: { id: minted.token.id, name: minted.token.name } }
          : kept?.iamToken
            ? { iamToken: kept.iamToken }
            : {}),
      });
      // the board's previous token of its own is on no board now: revoke it (best effort, it is said so)
      const previous = replaces?.iamToken;
      if (minted && previous && previous.id !== minted.token.id) {
        // best effort: one left behind is listed under Tokens without a device, to revoke there
        await minted.iam.revoke(previous.id).catch(() => undefined);
      }
      // a device known by its serial number gets that id: drop the entry it replaces if that was another
      if (replaces && replaces.id !== device.id) this.deps.registry.remove(replaces.id);
      this.deps.registry.upsert(device);
      minted = null; // the device holds it now
      this.deps.bus.emit('devices.changed', this.deps.registry.list());
      this.progress(h.id, 'done', `Paired: ${h.board.device.name} published on ${topic}`);
      return { device, clientId, firstMessage: message ?? null, ...(result.deviceUrl ? { deviceUrl: result.deviceUrl } : {}) };
    } catch (err) {
      await this.dropMinted(minted);
      throw this.fail(h.id, err);
    } finally {
      await this.cancel(h.id);
    }
  }

  /**
   * A token of the device's own (data read/write on its channel), when asked (`deviceToken: true`) or by
   * default when the profile may mint one; null: the channel token, as before. A typed channel token wins.
   */
  private async deviceToken(
    p: ProvisionParams,
    profile: Profile,
    h: Held,
  ): Promise<{ iam: IamClient; token: MintedDeviceToken } | null> {
    if (p.deviceToken === false || p.keepMqtt) return null;
    if (p.token !== undefined) {
      if (p.deviceToken)
        throw new ApiError('invalid_params', 'give either a channel token or a device token of its own, not both');
      return null;
    }
    // by default only for a profile that itself holds an admin credential (the built-in sandbox profile
    // holds the demo channel token: it pairs with that unless asked)
    const admin = !profile.builtIn && (profile.credentialType === 'secretKey' || profile.credentialType === 'iamToken');
    if (p.deviceToken === undefined && !admin) return null;
    const access = this.deps.iam ? await this.deps.iam(profile) : { reason: 'device tokens are not available here' };
    if (!('iam' in access)) {
      if (p.deviceToken) throw new ApiError('invalid_params', `no device token: ${access.reason}`);
      return null;
    }
    this.progress(h.id, 'mqtt', `creating an IAM token for ${h.board.device.name} (data on ${p.channel} only)`);
    try {
      const token = await mintDeviceToken(access.iam, { name: h.board.device.name, ...h.usb }, p.channel, p.resource);
      return { iam: access.iam, token };
    } catch (err) {
      throw new ApiError(
        'failed',
        `could not create a device token (${(err as Error).message}): pair with the channel token instead (untick "its own token")`,
      );
    }
  }

  private async dropMinted(minted: { iam: IamClient; token: MintedDeviceToken } | null): Promise<void> {
    if (minted) await minted.iam.revoke(minted.token.id).catch(() => undefined);
  }

  /** Reads the board's hostname and device name, or sets the ones given first (Improv 0x05/0x06). */
  async names(pairingId: string, set: { hostname?: string; deviceName?: string }): Promise<{ hostname: string; name: string }> {
    const h = this.get(pairingId);
    const ask = async (what: string, call: () => Promise<string>): Promise<string> => {
      try {
        return await call();
      } catch (err) {
        const e = asPairingError(err);
        if (e.code === 'unknown-rpc')
          throw new ApiError('failed', `${h.board.device.firmware} does not let Apiary read or set its ${what} over Improv`);
        throw new ApiError('failed', e.message);
      }
    };
    this.idle.stop(h.id);
    try {
      const hostname = await ask('hostname', () => h.board.client.hostname(set.hostname));
      const name = await ask('device name', () => h.board.client.deviceName(set.deviceName));
      h.board.device.name = name || h.board.device.name; // the known device (and its token) are named so
      return { hostname, name: h.board.device.name };
    } finally {
      if (this.held.get(pairingId) === h) this.idle.start(h.id);
    }
  }

  async cancel(pairingId: string): Promise<boolean> {
    const h = this.held.get(pairingId);
    if (!h) return false;
    this.held.delete(pairingId);
    this.idle.stop(pairingId);
    await h.board.client.close().catch(() => undefined);
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.cancel(id)));
  }

  /** USB details of the port, when serialport lists it (never for ptys). */
  private async usbOf(portPath: string): Promise<UsbIdentity | undefined> {
    const listed = (
      await (this.deps.listPorts ?? listPorts)().catch(() => ({ ports: [] as Awaited<ReturnType<typeof listPorts>>['ports'] }))
    ).ports.find((p) => p.path === portPath);
    if (!listed) return undefined;
    return {
      ...(listed.serialNumber ? { serialNumber: listed.serialNumber } : {}),
      ...(listed.vidPid ? { vendorId: listed.vidPid.split(':')[0], productId: listed.vidPid.split(':')[1] } : {}),
    };
  }

  /**
   * Subscribes the profile's session to the topic. A channel token only gets a subscription on its own
   * channel, so a refusal (SUBACK 0x80) of the profile's own token means it belongs to another channel.
   */
  private async watch(profile: Profile, topic: string, broker: ProfileDeviceBroker, channel: string): Promise<void> {
    try {
      await this.deps.watch(profile, topic);
    } catch (err) {
      // the session's refusal carries no code yet (session/manager.ts throws ApiError 'failed' with text):
      // match both its wordings, "(SUBACK 0x87)" and "(SUBACK: not authorized)"
      if (broker.fromProfile && /\(SUBACK[ :]/.test((err as Error).message)) {
        throw new ApiError(
          'invalid_params',
          `${profile.name}'s channel token has no rights on ${topic}: it is another channel's token — type channel ${channel}'s token`,
        );
      }
      throw err;
    }
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
    if (err instanceof ApiError) {
      this.progress(pairingId, 'failed', err.message);
      return err;
    }
    const e = asPairingError(err);
    this.progress(pairingId, 'failed', e.message, { code: e.code, ...(e.deviceLog?.length ? { deviceLog: e.deviceLog } : {}) });
    return new ApiError('failed', e.message);
  }

  private progress(
    pairingId: string,
    step: PairingStep['step'],
    message: string,
    why: { code?: PairingErrorCode; deviceLog?: string[] } = {},
  ): void {
    this.deps.bus.emit('pairing.progress', { pairingId, step, message, ...why });
  }
}
