import { randomBytes, randomUUID } from 'node:crypto';
import type { KnownDevice, PairingHandshake, PairingStep, ParsedParamsOf, ProvisionResultDTO, WifiNetworkDTO } from '../../api.js';
import { ApiError } from '../../api.js';
import type { EventBus } from '../events.js';
import { ImprovClient } from '../pairing/improv-client.js';
import { openSerialPort, type SerialDuplex } from '../pairing/serial-port.js';
import { isTasmota, tasmotaBacklog } from '../pairing/tasmota.js';
import { asPairingError, PairingError } from '../pairing/errors.js';
import { credentialsForToken, parseBrokerUrl } from '../pairing/flow.js';
import { listPorts } from '../pairing/discovery.js';
import type { Profile } from '../profiles/profile.js';
import { BEEBOTTE_HOST } from '../profiles/profile.js';
import type { DeviceRegistry } from './registry.js';
import type { FirstMessageWaiters } from './first-message.js';

interface Held {
  id: string;
  portPath: string;
  port: SerialDuplex;
  client: ImprovClient;
  info: PairingHandshake['device'];
  apiary: boolean;
  usb?: { serialNumber?: string; vendorId?: string; productId?: string };
}

export interface PairingDeps {
  bus: EventBus;
  registry: DeviceRegistry;
  waiters: FirstMessageWaiters;
  profile(id: string): Profile;
  secret(profileId: string): Promise<string | null>;
  /** make sure the profile's session is live and subscribed to the topic */
  watch(profile: Profile, topic: string): Promise<void>;
  sandboxMqtt?: () => string | undefined;
  /** the serial opener (tests inject; default: serialport) */
  openPort?: typeof openSerialPort;
}

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
      const listed = (await listPorts().catch(() => ({ ports: [] as Awaited<ReturnType<typeof listPorts>>['ports'] }))).ports.find((p) => p.path === portPath);
      const usb = listed
        ? {
            ...(listed.serialNumber ? { serialNumber: listed.serialNumber } : {}),
            ...(listed.vidPid ? { vendorId: listed.vidPid.split(':')[0], productId: listed.vidPid.split(':')[1] } : {}),
          }
        : undefined;
      const device = { firmware: info.firmware, version: info.version, chip: info.chip, name: info.name };
      this.held.set(id, { id, portPath, port, client, info: device, apiary, ...(usb ? { usb } : {}) });
      port.onClose(() => this.held.delete(id));
      this.progress(id, 'handshake', `${info.firmware} ${info.version} on ${info.chip} (${info.name})`);
      return { pairingId: id, port: portPath, device, state, apiaryExtension: apiary };
    } catch (err) {
      await port?.close().catch(() => undefined);
      throw this.fail(id, err);
    }
  }

  async scan(pairingId: string): Promise<WifiNetworkDTO[]> {
    const h = this.get(pairingId);
    this.progress(pairingId, 'scan', 'scanning Wi-Fi networks');
    try {
      return await h.client.scanNetworks();
    } catch (err) {
      throw this.fail(pairingId, err);
    }
  }

  async provision(p: ParsedParamsOf<'pairing.provision'>): Promise<ProvisionResultDTO> {
    const h = this.get(p.pairingId);
    const profile = this.deps.profile(p.profileId);
    const topic = `${p.channel}/${p.resource}`;
    const abort = new AbortController();
    try {
      const broker = await this.brokerFor(profile, p.token);
      this.progress(h.id, 'wifi', `joining "${p.ssid}"`);
      await h.client.sendWifi(p.ssid, p.wifiPassword);

      await this.deps.watch(profile, topic); // subscribed before the device can publish
      const first = this.deps.waiters.wait(profile.id, topic, p.waitSeconds * 1000, abort.signal);
      first.catch(() => undefined);

      const target = parseBrokerUrl(broker.url);
      let clientId = `apiary-${randomBytes(4).toString('hex')}`;
      this.progress(h.id, 'mqtt', `sending ${target.tls ? 'mqtts' : 'mqtt'}://${target.host}:${target.port}, topic ${topic}`);
      if (isTasmota(h.info.firmware)) {
        await h.client.sendConsoleLine(tasmotaBacklog({ ...target, username: broker.username, password: broker.password, topic }));
      } else if (h.apiary) {
        clientId = (await h.client.setMqtt({ ...target, username: broker.username, password: broker.password, clientId, topic })).clientId;
      } else {
        throw new ApiError('failed', `${h.info.firmware} joined Wi-Fi but does not take MQTT settings over serial (no Apiary extension): configure MQTT in its own UI`);
      }

      this.progress(h.id, 'first-message', `waiting up to ${p.waitSeconds} s for the first message on ${topic}`);
      // an unplug now is an unplug, not a "did not publish" timeout with the wrong advice
      const unplugged = new Promise<never>((_, reject) => {
        const fail = () =>
          reject(new PairingError('disconnected', `the device disconnected (unplugged or reset?) while waiting for its first message on ${topic}`));
        if (!h.port.isOpen) fail();
        else h.port.onClose(fail);
      });
      unplugged.catch(() => undefined);
      const message = await Promise.race([first, unplugged]);
      const now = Date.now();
      const device: KnownDevice = {
        id: h.usb?.serialNumber ?? `${h.info.name}-${clientId}`.replace(/[^\w-]/g, '_').slice(0, 64),
        name: h.info.name,
        firmware: `${h.info.firmware} ${h.info.version}`,
        chip: h.info.chip,
        profileId: profile.id,
        channel: p.channel,
        resource: p.resource,
        clientId,
        pairedAt: now,
        lastSeen: message.receivedAt,
        online: true,
        ...(h.usb?.serialNumber ? { serialNumber: h.usb.serialNumber } : {}),
        ...(h.usb?.vendorId ? { vendorId: h.usb.vendorId } : {}),
        ...(h.usb?.productId ? { productId: h.usb.productId } : {}),
      };
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

  async cancel(pairingId: string): Promise<boolean> {
    const h = this.held.get(pairingId);
    if (!h) return false;
    this.held.delete(pairingId);
    await h.client.close().catch(() => undefined);
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((id) => this.cancel(id)));
  }

  /** Where the device must connect, and with what: the profile's broker and a channel token. */
  private async brokerFor(profile: Profile, token: string | undefined): Promise<{ url: string; username: string; password: string }> {
    if (profile.kind === 'mqtt') {
      return { url: profile.url!, username: profile.username ?? '', password: (await this.deps.secret(profile.id)) ?? '' };
    }
    const credential = token ?? (await this.deps.secret(profile.id));
    if (!credential) throw new ApiError('invalid_params', `${profile.name} has no credential to give the device: enter a channel token`);
    const url = profile.kind === 'sandbox' ? this.deps.sandboxMqtt?.() : `mqtts://${BEEBOTTE_HOST}:${profile.port ?? 8883}`;
    if (!url) throw new ApiError('failed', 'the embedded sandbox is not running');
    return { url, ...credentialsForToken(credential) };
  }

  private get(pairingId: string): Held {
    const h = this.held.get(pairingId);
    if (!h) throw new ApiError('not_found', 'this pairing is no longer open (the device was unplugged or the pairing cancelled): start again');
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
