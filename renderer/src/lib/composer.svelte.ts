/**
 * The composer's draft, shared so other views can prefill it ("publish to this topic") and the
 * command palette can open it. Only the user changes its profile and topic — by typing, picking, loading
 * a template or "Publish here"; a profile selected in the sidebar or a topic arriving never does
 * (publishing to the wrong broker must take a deliberate step).
 */
import type { PublishHistoryEntry, Template } from '../../../electron/api';

export const draft = $state({
  profileId: '' as string,
  /** Beebotte: channel/resource; generic brokers: the free topic */
  channel: '',
  resource: '',
  topic: '',
  data: '21.5',
  write: false,
  ispublic: false,
  qos: 0 as 0 | 1 | 2,
  retain: false,
  /** generic brokers: send the data as it is, no {"data": …} envelope */
  raw: true,
});

export function setTopic(topic: string): void {
  draft.topic = topic;
  const [channel = '', resource = '', ...rest] = topic.split('/');
  if (rest.length === 0) {
    draft.channel = channel;
    draft.resource = resource;
  } else {
    draft.channel = '';
    draft.resource = '';
  }
}

/** "Publish here" from a topic: the user's explicit choice of profile and topic. */
export function targetTopic(profileId: string, topic: string): void {
  draft.profileId = profileId;
  setTopic(topic);
}

export function loadEntry(entry: Template | PublishHistoryEntry): void {
  if (entry.profileId) draft.profileId = entry.profileId;
  setTopic(entry.topic);
  draft.data = entry.data;
  draft.write = entry.write;
  draft.ispublic = entry.ispublic;
  draft.qos = entry.qos;
}
