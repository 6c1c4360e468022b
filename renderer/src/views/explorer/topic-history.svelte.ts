/**
 * One topic's recent messages: loaded from the store, then kept live from core batches, coalesced per
 * frame and bounded. Created per selected topic; dispose() unsubscribes.
 */
import type { MessageDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';
import { perFrame } from '../../lib/frame';
import type { TopicRef } from '../../lib/explorer.svelte';

const KEEP = 1000;

export class TopicHistory {
  messages = $state.raw<MessageDTO[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private pending: MessageDTO[] = [];
  private readonly off: () => void;
  private readonly schedule = perFrame(() => this.flush());

  constructor(readonly ref: TopicRef) {
    this.off = api.on('messages.batch', (batch) => {
      for (const m of batch.messages) if (m.topic === ref.topic && m.profileId === ref.profileId) this.pending.push(m);
      if (this.pending.length) this.schedule();
    });
    api
      .call('messages.history', { profileId: ref.profileId, topic: ref.topic, limit: 500 })
      .catch(() =>
        // older cores: the log query answers the same question
        api.call('messages.query', { profileId: ref.profileId, topicFilter: ref.topic, limit: 500 }),
      )
      .then((page) => {
        // live messages that arrived during the load stay on top; the page never repeats one of them
        this.messages = this.messages.concat(withoutSeen(page, this.messages)).slice(0, KEEP);
      })
      .catch((e) => (this.error = errorText(e)))
      .finally(() => (this.loading = false));
  }

  private flush(): void {
    if (!this.pending.length) return;
    // a message can be both in the loaded page and in a live batch that was pending during the load
    const fresh = withoutSeen(this.pending.reverse(), this.messages);
    this.pending = [];
    this.messages = fresh.concat(this.messages).slice(0, KEEP);
  }

  dispose(): void {
    this.off();
  }
}

function withoutSeen(incoming: MessageDTO[], kept: MessageDTO[]): MessageDTO[] {
  const ids = new Set(kept.map((m) => m.id));
  return incoming.filter((m) => !ids.has(m.id));
}
