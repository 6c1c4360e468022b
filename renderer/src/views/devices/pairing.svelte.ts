/**
 * The pairing wizard's state machine: pick a port → handshake → Wi-Fi → destination → provisioning →
 * paired (or failed at a step). Live progress comes from pairing.progress events; the core's error
 * text is kept as it is and shown at the step that failed.
 */
import type { KnownDevice, PairingHandshake, PairingStep, ProvisionResultDTO, WifiNetworkDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';
import { DEFAULT_BAUD } from './ports';

export type Stage = 'pick' | 'starting' | 'device' | 'provisioning' | 'paired' | 'failed';
export type StepName = Exclude<PairingStep['step'], 'done' | 'failed'>;

/** The steps as the user sees them, in order. */
export const STEPS: { step: StepName; label: string }[] = [
  { step: 'open', label: 'Open the port' },
  { step: 'handshake', label: 'Handshake (Improv)' },
  { step: 'scan', label: 'Scan Wi-Fi' },
  { step: 'wifi', label: 'Join Wi-Fi' },
  { step: 'mqtt', label: 'Send MQTT settings' },
  { step: 'first-message', label: 'Wait for the first message' },
];

/** The steps an "MQTT settings only" re-provision leaves out: the board keeps its Wi-Fi. */
const WIFI_STEPS: StepName[] = ['scan', 'wifi'];

/** A prefilled destination; mqttOnly: re-provision a known device (no Wi-Fi step); wifiOnly: a new network for it (no MQTT step). */
export interface Preset {
  profileId: string;
  channel: string;
  resource: string;
  mqttOnly?: { deviceId: string; name: string };
  wifiOnly?: { deviceId: string; name: string };
}

export interface StepState {
  status: 'pending' | 'active' | 'done' | 'failed' | 'skipped';
  message: string;
}

function freshSteps(mqttOnly = false, wifiOnly = false): Record<StepName, StepState> {
  return Object.fromEntries(
    STEPS.map((s) => [
      s.step,
      mqttOnly && WIFI_STEPS.includes(s.step)
        ? { status: 'skipped', message: 'MQTT settings only: the board keeps its Wi-Fi' }
        : wifiOnly && s.step === 'mqtt'
          ? { status: 'skipped', message: 'Wi-Fi only: the board keeps its MQTT settings' }
          : { status: 'pending', message: '' },
    ]),
  ) as Record<StepName, StepState>;
}

class PairingWizard {
  stage = $state<Stage>('pick');
  port = $state('');
  /** the rate the port opens at; the "no Improv answer" hint points here (BaudPicker) */
  baudRate = $state<number>(DEFAULT_BAUD);
  /** the rate of the last attempt, for the failure hint (baudRate may have changed since) */
  openedBaud = $state<number>(DEFAULT_BAUD);
  pairingId = $state<string | null>(null);
  handshake = $state.raw<PairingHandshake | null>(null);
  networks = $state.raw<WifiNetworkDTO[]>([]);
  scanning = $state(false);
  scanError = $state<string | null>(null);
  steps = $state(freshSteps());
  /** the step that failed and the core's words */
  failure = $state<{ step: StepName | null; message: string } | null>(null);
  /** why the device side failed, as the core's code (its words: common/pairing-codes.ts) */
  failureCode = $state<string | null>(null);
  /** the device's last log lines when a step failed (the wizard's Logs tab) */
  failureLog = $state.raw<string[]>([]);
  result = $state.raw<ProvisionResultDTO | null>(null);
  /** prefilled destination (re-provision of a stale device: MQTT settings only) */
  preset = $state.raw<Preset | null>(null);
  /** re-provisioning a known device: no scan, no Wi-Fi */
  readonly mqttOnly = $derived(Boolean(this.preset?.mqttOnly));
  /** a known device joins another Wi-Fi: no MQTT settings sent */
  readonly wifiOnly = $derived(Boolean(this.preset?.wifiOnly));
  /** the board's hostname and device name (Improv), once read or set; why not */
  names = $state.raw<{ hostname: string; name: string } | null>(null);
  namesError = $state<string | null>(null);

  private subscribed = false;
  private lastStep: StepName | null = null;

  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    api.on('pairing.progress', (p) => this.progress(p));
  }

  private progress(p: PairingStep): void {
    // before pairing.start answers we do not know our id yet: take what comes while starting
    if (this.stage === 'starting' && !this.pairingId) this.pairingId = p.pairingId;
    if (p.pairingId !== this.pairingId) return;
    if (p.step === 'done') {
      for (const s of STEPS) if (this.steps[s.step].status === 'active') this.steps[s.step].status = 'done';
      return;
    }
    if (p.step === 'failed') {
      const at = this.lastStep;
      if (at) this.steps[at] = { status: 'failed', message: p.message };
      this.failure = { step: at, message: p.message };
      this.failureCode = p.code ?? null;
      this.failureLog = p.deviceLog ?? [];
      return;
    }
    // Wi-Fi only: the core reports the MQTT settings as kept; the list shows the step as skipped
    if (this.wifiOnly && p.step === 'mqtt') return;
    const index = STEPS.findIndex((s) => s.step === p.step);
    // everything before a step that starts is done (handshake reports twice: asking, then the answer)
    for (let i = 0; i < index; i++) {
      const s = this.steps[STEPS[i]!.step];
      if (s.status === 'active') s.status = 'done';
    }
    this.steps[p.step] = { status: 'active', message: p.message };
    this.lastStep = p.step;
  }

  private resetRun(): void {
    this.pairingId = null;
    this.handshake = null;
    this.networks = [];
    this.scanError = null;
    this.steps = freshSteps(this.mqttOnly, this.wifiOnly);
    this.names = null;
    this.namesError = null;
    this.failure = null;
    this.failureCode = null;
    this.failureLog = [];
    this.result = null;
    this.lastStep = null;
  }

  /**
   * Re-provision a known device with MQTT settings only, prefilled with its destination; on `port` at once
   * when it is known to be plugged in there, else the user picks (or types) the port.
   */
  reprovision(d: KnownDevice, port?: string): void {
    this.preset = { profileId: d.profileId, channel: d.channel, resource: d.resource, mqttOnly: { deviceId: d.id, name: d.name } };
    if (port) void this.start(port);
    else this.again();
  }

  /** A known device joins another Wi-Fi and keeps its MQTT settings (and its token). */
  changeWifi(d: KnownDevice, port?: string): void {
    this.preset = { profileId: d.profileId, channel: d.channel, resource: d.resource, wifiOnly: { deviceId: d.id, name: d.name } };
    if (port) void this.start(port);
    else this.again();
  }

  /** Reads the board's hostname and device name, or sets the ones given; returns false when it failed. */
  async setNames(set: { hostname?: string; deviceName?: string } = {}): Promise<boolean> {
    if (!this.pairingId) return false;
    try {
      this.names = await api.call('pairing.names', { pairingId: this.pairingId, ...set });
      this.namesError = null;
      if (this.handshake) this.handshake = { ...this.handshake, device: { ...this.handshake.device, name: this.names.name } };
      return true;
    } catch (e) {
      this.namesError = errorText(e);
      return false;
    }
  }

  /** From MQTT-only back to the full pairing (a board without Wi-Fi), on the same port. */
  fullPairing(): void {
    if (this.preset) this.preset = { profileId: this.preset.profileId, channel: this.preset.channel, resource: this.preset.resource };
    void this.start(this.port);
  }

  async start(port: string): Promise<void> {
    this.subscribe();
    if (this.pairingId) await this.cancel(false);
    this.resetRun();
    this.port = port.trim();
    if (!this.port) {
      this.failure = { step: 'open', message: 'enter a port path, e.g. /dev/ttyUSB0' };
      this.stage = 'failed';
      return;
    }
    this.stage = 'starting';
    try {
      this.openedBaud = this.baudRate;
      const hs = await api.call('pairing.start', { port: this.port, baudRate: this.openedBaud });
      this.pairingId = hs.pairingId;
      this.handshake = hs;
      this.steps.open.status = 'done';
      this.steps.handshake = { status: 'done', message: this.steps.handshake.message };
      this.stage = 'device';
      if (!this.mqttOnly) void this.scan();
    } catch (e) {
      this.fail(e, this.lastStep ?? 'open');
    }
  }

  async scan(): Promise<void> {
    if (!this.pairingId) return;
    this.scanning = true;
    this.scanError = null;
    try {
      this.networks = await api.call('pairing.scan', { pairingId: this.pairingId });
      this.steps.scan = { status: 'done', message: `${this.networks.length} network(s) seen` };
    } catch (e) {
      // a failed scan is not fatal: the SSID can be typed
      this.scanError = errorText(e);
      this.steps.scan = { status: 'failed', message: this.scanError };
      this.failure = null;
    } finally {
      this.scanning = false;
    }
  }

  async provision(p: {
    /** absent: MQTT settings only (the preset's device keeps its Wi-Fi) */
    ssid?: string;
    wifiPassword?: string;
    profileId: string;
    channel: string;
    resource: string;
    token?: string;
    /** an IAM token of the device's own instead of the channel token */
    deviceToken?: boolean;
    waitSeconds: number;
  }): Promise<void> {
    if (!this.pairingId) return;
    this.stage = 'provisioning';
    this.failure = null;
    try {
      const only = this.preset?.mqttOnly;
      const wifi = this.preset?.wifiOnly;
      const mode = only
        ? { keepWifi: true, deviceId: only.deviceId }
        : wifi
          ? { keepMqtt: true, deviceId: wifi.deviceId, deviceToken: false }
          : {};
      this.result = await api.call('pairing.provision', { pairingId: this.pairingId, ...p, ...mode });
      for (const s of STEPS) if (this.steps[s.step].status === 'active') this.steps[s.step].status = 'done';
      this.stage = 'paired';
      this.preset = null;
    } catch (e) {
      this.fail(e, this.lastStep ?? (this.mqttOnly ? 'mqtt' : 'wifi'));
    }
    // the core closes the port after provisioning, whatever the outcome
    this.pairingId = null;
  }

  private fail(e: unknown, step: StepName): void {
    const message = errorText(e);
    this.steps[step] = { status: 'failed', message };
    this.failure = { step, message };
    this.stage = 'failed';
  }

  /** Releases the port (the device stays as it was). */
  async cancel(toPick = true): Promise<void> {
    const id = this.pairingId;
    this.pairingId = null;
    if (id) await api.call('pairing.cancel', { pairingId: id }).catch(() => undefined);
    if (toPick) {
      this.resetRun();
      this.stage = 'pick';
    }
  }

  again(): void {
    this.resetRun();
    this.stage = 'pick';
  }
}

export const pairing = new PairingWizard();
