/**
 * Publishing and writing, shared by MQTT, REST and WebSocket: a write checks that the channel and
 * resource exist and that the value fits the resource's vtype, persists it, then bridges it.
 */
import type { SandboxAccounts } from './accounts.js';
import type { Bridge, BridgeMessage, Origin } from './bridge.js';
import { errors } from './errors.js';
import { matchesVtype } from './model.js';
import type { RecordStore, StoredRecord } from './records.js';
import { filterMatches } from './topics.js';

export interface LastValue {
  channel: string;
  resource: string;
  record: StoredRecord;
}

export class DataService {
  constructor(
    readonly accounts: SandboxAccounts,
    readonly records: RecordStore,
    readonly bridge: Bridge,
  ) {}

  /** Throws a SandboxError (1303 / 1301 / 1404) when the value cannot be written. */
  checkWritable(owner: string, channel: string, resource: string, data: unknown): void {
    this.accounts.requireChannel(owner, channel);
    const info = this.accounts.getResource(owner, channel, resource);
    if (!info) throw errors.resourceNotFound(channel, resource);
    if (!matchesVtype(info.vtype, data)) throw errors.typeMismatch(resource, info.vtype);
  }

  write(message: BridgeMessage, origin: Origin): StoredRecord {
    this.checkWritable(message.owner, message.channel, message.resource, message.data);
    const record = this.records.write(message);
    this.bridge.publish(message, origin);
    return record;
  }

  /** All or nothing: every record is checked before any is stored. */
  writeMany(messages: BridgeMessage[], origin: Origin): StoredRecord[] {
    for (const m of messages) this.checkWritable(m.owner, m.channel, m.resource, m.data);
    const stored = this.records.writeMany(messages);
    for (const m of messages) this.bridge.publish(m, origin);
    return stored;
  }

  publish(message: BridgeMessage, origin: Origin): void {
    this.bridge.publish(message, origin);
  }

  /** Last persisted values of the `sendOnSubscribe` resources a client filter covers. */
  lastValues(owner: string, filter: string): LastValue[] {
    const out: LastValue[] = [];
    const [channelPart] = filter.split('/');
    const channels =
      channelPart === '+' || channelPart === '#'
        ? this.accounts.listChannels(owner)
        : [this.accounts.getChannel(owner, channelPart ?? '')].filter((c) => c !== null);
    for (const channel of channels) {
      for (const resource of channel.resources) {
        if (!resource.sendOnSubscribe || !filterMatches(filter, `${channel.name}/${resource.name}`)) continue;
        const record = this.records.last(owner, channel.name, resource.name);
        if (record) out.push({ channel: channel.name, resource: resource.name, record });
      }
    }
    return out;
  }
}
