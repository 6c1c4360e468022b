import type { Page } from '@playwright/test';

/** A batch of messages as the host sends it to the page (electron/api.ts MessageBatch, as far as these tests look). */
export interface TappedBatch {
  messages: { topic: string }[];
  skipped: number;
  dropped?: number;
}

/**
 * Stands between the page and the host: every `messages.batch` event goes through `rewrite` first, which returns
 * the batch to deliver (the same one, or changed) or null to hold it back; every other frame passes untouched.
 * The tests use it to make the page meet what a flood or a congested socket does to it.
 */
export async function tapBatches(page: Page, rewrite: (batch: TappedBatch) => TappedBatch | null): Promise<void> {
  await page.routeWebSocket(/\/api$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => server.send(frame));
    server.onMessage((frame) => {
      const parsed = JSON.parse(String(frame)) as { event?: string; data?: TappedBatch };
      if (parsed.event !== 'messages.batch') return ws.send(frame);
      const out = rewrite(parsed.data!);
      if (out) ws.send(out === parsed.data ? frame : JSON.stringify({ ...parsed, data: out }));
    });
  });
}

/** The batch without the messages `leave` picks, counted as skipped, as the core counts what it leaves out. */
export function leaveOut(batch: TappedBatch, leave: (m: { topic: string }) => boolean): { batch: TappedBatch; left: number } {
  const kept = batch.messages.filter((m) => !leave(m));
  const left = batch.messages.length - kept.length;
  return { batch: left ? { ...batch, messages: kept, skipped: batch.skipped + left } : batch, left };
}

/**
 * From `start()` on, every batch leaves `topic`'s messages out, counted as skipped (what the core does to all but
 * the newest messages under a flood); `leftOut()` says how many so far.
 */
export async function leaveOutTopic(page: Page, topic: string): Promise<{ start(): void; leftOut(): number }> {
  let leaving = false;
  let left = 0;
  await tapBatches(page, (batch) => {
    if (!leaving) return batch;
    const out = leaveOut(batch, (m) => m.topic === topic);
    left += out.left;
    return out.batch;
  });
  return {
    start: () => {
      leaving = true;
    },
    leftOut: () => left,
  };
}
