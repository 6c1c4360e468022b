/**
 * The composer's draft, shared so other views can prefill it ("publish to this topic") and the
 * command palette can open it.
 */
import type { PublishHistoryEntry, Template } from '../../../electron/api';

export const draft = $state({
  profileId: '' as string,
  /** Beebotte: channel/resource; generic brokers: the free topic */
  channel: '',
  resource: '',
  topic: '',
  /** the profile the topic was picked for: another profile starts from its own topics */
  topicOf: '',
  /** the user typed a topic: stop suggesting one */
  touched: false,
  data: '21.5',
  write: false,
  ispublic: false,
  qos: 0 as 0 | 1,
  retain: false,
  /** generic brokers: send the data as it is, no {"data": …} envelope */
  raw: true,
});

export function setTopic(topic: string): void {
  draft.topic = topic;
  draft.topicOf = draft.profileId;
  draft.touched = topic !== '';
  const [channel = '', resource = '', ...rest] = topic.split('/');
  if (rest.length === 0) {
    draft.channel = channel;
    draft.resource = resource;
  }
}

export function loadEntry(entry: Template | PublishHistoryEntry): void {
  if (entry.profileId) draft.profileId = entry.profileId;
  setTopic(entry.topic);
  draft.data = entry.data;
  draft.write = entry.write;
  draft.ispublic = entry.ispublic;
  draft.qos = entry.qos;
}
