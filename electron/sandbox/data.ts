/**
 * Publishing and writing, shared by MQTT, REST and WebSocket: a write checks that the channel and
 * resource exist and that the value fits the resource's vtype, persists it, then bridges it.
 * Either takes the channel's access level (see accessLevel), whatever the transport asked for.
 */
import type { SandboxAccounts } from './accounts.js';
import type { Bridge, BridgeMessage, Origin } from './bridge.js';
import { errors } from './errors.js';
import { vtypeMismatch } from './vtypes.js';
import type { RecordStore, StoredRecord } from './records.js';
import { topicMatches } from '../common/topic-filter.js';

export interface LastValue {
  channel: string;
  resource: string;
  record: StoredRecord;
  /** public to API-key-only readers: the record and its channel both are (records stored before a channel
   * turned private, or by an older sandbox that made every REST write public, stay private) */
  ispublic: boolean;
}

/** Told about every write and publish that went through (Beerules watch them: beerules-runner.ts). */
export type MessageWatcher = (event: 'publish' | 'write', message: BridgeMessage) => void;

export class DataService {
  private readonly watchers: MessageWatcher[] = [];

  constructor(
    readonly accounts: SandboxAccounts,
    readonly records: RecordStore,
    readonly bridge: Bridge,
  ) {}

  /**
   * Throws a SandboxError (1303 / 1301 / 1404) when the value cannot be written; otherwise returns the
   * message as it will be stored: public exactly when its channel is (Beebotte docs, "write").
   */
  checkWritable(message: BridgeMessage): BridgeMessage {
    const { owner, channel, resource, data } = message;
    const info = this.accounts.requireChannel(owner, channel);
    const res = this.accounts.getResource(owner, channel, resource);
    if (!res) throw errors.resourceNotFound(channel, resource);
    const mismatch = vtypeMismatch(res.vtype, data);
    if (mismatch) throw errors.typeMismatch(resource, res.vtype, mismatch);
    return message.ispublic === info.ispublic ? message : { ...message, ispublic: info.ispublic };
  }

  write(message: BridgeMessage, origin: Origin): StoredRecord {
    const stored = this.checkWritable(message);
    const record = this.records.write(stored);
    this.bridge.publish(stored, origin);
    this.notify('write', stored);
    return record;
  }

  /** All or nothing: every record is checked before any is stored. */
  writeMany(messages: BridgeMessage[], origin: Origin): StoredRecord[] {
    const checked = messages.map((m) => this.checkWritable(m));
    const stored = this.records.writeMany(checked);
    for (const m of checked) this.bridge.publish(m, origin);
    for (const m of checked) this.notify('write', m);
    return stored;
  }

  publish(message: BridgeMessage, origin: Origin): void {
    const sent = this.accessLevel(message);
    this.bridge.publish(sent, origin);
    this.notify('publish', sent);
  }

  watch(watcher: MessageWatcher): void {
    this.watchers.push(watcher);
  }

  private notify(event: 'publish' | 'write', message: BridgeMessage): void {
    for (const watcher of this.watchers) watcher(event, message);
  }

  /**
   * A transient message is public only when it asks to be (REST and WebSocket by default, MQTT with
   * `"ispublic": true`) and its channel, when it exists, is public: a private channel's data never reaches
   * readers that hold only the API key. A publish to a channel that does not exist keeps what it asked for.
   */
  private accessLevel(message: BridgeMessage): BridgeMessage {
    if (!message.ispublic) return message;
    const channel = this.accounts.getChannel(message.owner, message.channel);
    return !channel || channel.ispublic ? message : { ...message, ispublic: false };
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
        if (!resource.sendOnSubscribe || !topicMatches(filter, `${channel.name}/${resource.name}`)) continue;
        const record = this.records.last(owner, channel.name, resource.name);
        if (record)
          out.push({ channel: channel.name, resource: resource.name, record, ispublic: record.ispublic && channel.ispublic });
      }
    }
    return out;
  }
}
