/**
 * Serial ports and remembered devices for the Devices screen: ports on demand (and when the core reports
 * a plug), devices live from devices.changed.
 */
import type { KnownDevice, SerialPortDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';

class DevicesState {
  ports = $state.raw<SerialPortDTO[]>([]);
  portsLoaded = $state(false);
  portsLoading = $state(false);
  portsError = $state<string | null>(null);
  known = $state.raw<KnownDevice[]>([]);
  knownError = $state<string | null>(null);
  /** list ports with no USB identity too (motherboard UARTs like /dev/ttyS0, Bluetooth serial) */
  showAllPorts = $state(false);
  /** the last board the core saw plugged in: "pair it?" */
  plugged = $state.raw<SerialPortDTO | null>(null);

  private subscribed = false;

  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    api.on('devices.changed', (list) => (this.known = list));
    api.on('device.plugged', (port) => {
      this.plugged = port;
      void this.refreshPorts();
    });
  }

  async load(): Promise<void> {
    this.subscribe();
    await Promise.all([this.refreshPorts(), this.refreshKnown()]);
  }

  async refreshPorts(): Promise<void> {
    this.portsLoading = true;
    try {
      this.ports = await api.call('devices.ports', {});
      this.portsError = null;
    } catch (e) {
      this.portsError = errorText(e);
    } finally {
      this.portsLoading = false;
      this.portsLoaded = true;
    }
  }

  async refreshKnown(): Promise<void> {
    try {
      this.known = await api.call('devices.list', {});
      this.knownError = null;
    } catch (e) {
      this.knownError = errorText(e);
    }
  }

  /** Deletes the device's own IAM token: it is locked out at once; other devices are not touched. */
  async revokeToken(device: KnownDevice): Promise<void> {
    if (!device.iamToken) return;
    try {
      await api.call('iam.revoke', { profileId: device.profileId, tokenId: device.iamToken.id });
      this.knownError = null;
      await this.refreshKnown();
    } catch (e) {
      this.knownError = `The token of ${device.name} was not revoked: ${errorText(e)}`;
    }
  }

  async forget(device: KnownDevice): Promise<void> {
    try {
      await api.call('devices.forget', { id: device.id });
      this.known = this.known.filter((d) => d.id !== device.id);
      this.knownError = null;
    } catch (e) {
      this.knownError = `${device.name} was not forgotten: ${errorText(e)}`;
    }
  }
}

export const devices = new DevicesState();

export { listedPorts, portOf, vidPid } from './ports';

/** Online state in words (color is never alone). A device that stopped publishing is "silent". */
export function deviceState(d: KnownDevice, now: number): { word: string; cls: string; hint: string } {
  if (d.revoked)
    return { word: 'revoked', cls: 'st-failed', hint: 'its IAM token was revoked: it cannot connect until it is paired again' };
  if (d.staleToken)
    return { word: 'token revoked', cls: 'st-failed', hint: 'its channel token was regenerated after pairing: re-provision it' };
  if (!d.online) return { word: 'offline', cls: 'st-idle', hint: 'no message from it since Apiary started watching' };
  const quietMs = d.lastSeen ? now - d.lastSeen : Infinity;
  if (quietMs > 5 * 60_000) return { word: 'silent', cls: 'st-reconnecting', hint: 'no message for more than 5 minutes' };
  return { word: 'online', cls: 'st-connected', hint: 'publishing on its channel' };
}
