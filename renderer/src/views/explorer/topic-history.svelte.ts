/**
 * One topic's recent messages: loaded from the store, then kept live from core batches, coalesced per
 * frame and bounded. Created per selected topic; dispose() unsubscribes.
 */
import type { MessageDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { catchUp, leftOut } from '../../lib/catch-up';
import { errorText } from '../../lib/format';
import { perFrame } from '../../lib/frame';
import type { TopicRef } from '../../lib/explorer.svelte';

const KEEP = 1000;
/** the newest stored messages read at open and at each catch-up */
const PAGE = 500;

export class TopicHistory {
  messages = $state.raw<MessageDTO[]>([]);
  loading = $state(true);
  error = $state<string | null>(null);
  private pending: MessageDTO[] = [];
  private readonly off: () => void;
  private readonly schedule = perFrame(() => this.flush());
  /** batches that left messages out (a flood, a page behind): this topic's may be among them, read them back */
  private readonly catchUp = catchUp(() => this.reread());

  constructor(readonly ref: TopicRef) {
    this.off = api.on('messages.batch', (batch) => {
      for (const m of batch.messages) if (m.topic === ref.topic && m.profileId === ref.profileId) this.pending.push(m);
      if (this.pending.length) this.schedule();
      if (leftOut(batch)) this.catchUp.gap();
    });
    api
      .call('messages.history', { profileId: ref.profileId, topic: ref.topic, limit: PAGE })
      .catch(() =>
        // older cores: the log query answers the same question
        api.call('messages.query', { profileId: ref.profileId, topicFilter: ref.topic, limit: PAGE }),
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

  /** The newest stored messages again, merged in: what batches left out takes its place by id. */
  private async reread(): Promise<void> {
    const page = await api.call('messages.history', { profileId: this.ref.profileId, topic: this.ref.topic, limit: PAGE });
    this.flush();
    const missed = withoutSeen(page, this.messages);
    if (missed.length === 0) return;
    this.messages = missed
      .concat(this.messages)
      .sort(newestFirst)
      .slice(0, KEEP);
  }

  dispose(): void {
    this.off();
    this.catchUp.dispose();
  }
}

/** by id, newest first; a message the store could not keep (a negative id) by its arrival time */
function newestFirst(a: MessageDTO, b: MessageDTO): number {
  return a.id > 0 && b.id > 0 ? b.id - a.id : b.receivedAt - a.receivedAt;
}

function withoutSeen(incoming: MessageDTO[], kept: MessageDTO[]): MessageDTO[] {
  const ids = new Set(kept.map((m) => m.id));
  return incoming.filter((m) => !ids.has(m.id));
}
