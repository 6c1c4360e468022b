/**
 * The pairing wizard's state machine: pick a port → handshake → Wi-Fi → destination → provisioning →
 * paired (or failed at a step). Live progress comes from pairing.progress events; the core's error
 * text is kept as it is and shown at the step that failed.
 */
import type { PairingHandshake, PairingStep, ProvisionResultDTO, WifiNetworkDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';

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

export interface StepState {
  status: 'pending' | 'active' | 'done' | 'failed';
  message: string;
}

function freshSteps(): Record<StepName, StepState> {
  return Object.fromEntries(STEPS.map((s) => [s.step, { status: 'pending', message: '' }])) as Record<StepName, StepState>;
}

class PairingWizard {
  stage = $state<Stage>('pick');
  port = $state('');
  pairingId = $state<string | null>(null);
  handshake = $state.raw<PairingHandshake | null>(null);
  networks = $state.raw<WifiNetworkDTO[]>([]);
  scanning = $state(false);
  scanError = $state<string | null>(null);
  steps = $state(freshSteps());
  /** the step that failed and the core's words */
  failure = $state<{ step: StepName | null; message: string } | null>(null);
  result = $state.raw<ProvisionResultDTO | null>(null);
  /** prefilled destination (re-provision of a stale device) */
  preset = $state.raw<{ profileId: string; channel: string; resource: string } | null>(null);

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
      return;
    }
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
    this.steps = freshSteps();
    this.failure = null;
    this.result = null;
    this.lastStep = null;
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
      const hs = await api.call('pairing.start', { port: this.port });
      this.pairingId = hs.pairingId;
      this.handshake = hs;
      this.steps.open.status = 'done';
      this.steps.handshake = { status: 'done', message: this.steps.handshake.message };
      this.stage = 'device';
      void this.scan();
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
    ssid: string;
    wifiPassword: string;
    profileId: string;
    channel: string;
    resource: string;
    token?: string;
    waitSeconds: number;
  }): Promise<void> {
    if (!this.pairingId) return;
    this.stage = 'provisioning';
    this.failure = null;
    try {
      this.result = await api.call('pairing.provision', { pairingId: this.pairingId, ...p });
      for (const s of STEPS) if (this.steps[s.step].status === 'active') this.steps[s.step].status = 'done';
      this.stage = 'paired';
      this.preset = null;
    } catch (e) {
      this.fail(e, this.lastStep ?? 'wifi');
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
