import type { KnownDevice } from '../../api.js';
import type { Settings } from '../store/index.js';

const KEY = 'devices.known';
export const MAX_DEVICES = 1000;

/** Paired devices, remembered in the settings table (no secret: the token stays on the device and in the vault; of a device's own IAM token only its id and name). */
export class DeviceRegistry {
  /** cached: seen() runs on the ingest path */
  private devices: KnownDevice[];
  /** profile id → the channel/resource topics of its devices: looked up for every message, so no key built per message */
  private watched = new Map<string, Set<string>>();

  constructor(private readonly settings: Settings) {
    this.devices = settings.get<KnownDevice[]>(KEY, []);
    this.reindex();
  }

  list(): KnownDevice[] {
    return this.devices.map((d) => ({ ...d }));
  }

  private save(list: KnownDevice[]): void {
    this.devices = list;
    this.settings.set(KEY, list);
    this.reindex();
  }

  private reindex(): void {
    this.watched = new Map();
    for (const d of this.devices) {
      let topics = this.watched.get(d.profileId);
      if (!topics) this.watched.set(d.profileId, (topics = new Set()));
      topics.add(`${d.channel}/${d.resource}`);
    }
  }

  upsert(device: KnownDevice): KnownDevice {
    const list = this.devices.filter((d) => d.id !== device.id);
    list.unshift(device);
    this.save(list.slice(0, MAX_DEVICES));
    return device;
  }

  update(id: string, patch: Partial<KnownDevice>): KnownDevice | undefined {
    const list = this.devices.map((d) => (d.id === id ? { ...d, ...patch } : d));
    const device = list.find((d) => d.id === id);
    if (!device) return undefined;
    this.save(list);
    return { ...device };
  }

  remove(id: string): boolean {
    const next = this.devices.filter((d) => d.id !== id);
    const removed = next.length !== this.devices.length;
    this.save(next);
    return removed;
  }

  /** Marks devices seen when a message arrives on their channel/resource; returns true when something changed. */
  seen(profileId: string, topic: string, at: number): boolean {
    if (!this.watched.get(profileId)?.has(topic)) return false;
    const list = this.devices;
    let changed = false;
    for (const d of list) {
      // a revoked device cannot publish: what arrives on its topic is another device's
      if (d.revoked) continue;
      if (d.profileId === profileId && `${d.channel}/${d.resource}` === topic && (!d.online || !d.lastSeen || at - d.lastSeen > 10_000)) {
        d.lastSeen = at;
        d.online = true;
        changed = true;
      }
    }
    if (changed) this.save(list);
    return changed;
  }
}
