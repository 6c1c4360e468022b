/**
 * Keeps a live view (a topic's History, a chart line) whole when batches leave messages out. Under a flood the
 * core sends the page only the newest messages of each batch (the rest are counted as `skipped`), and a page
 * that falls behind gets batches counted as `dropped` by the host: either way the missed messages are in the
 * store. A view that saw such a batch reads its recent past from the store again — at most once per `everyMs`,
 * one read at a time, so a steady flood costs one small query a second, not one per batch.
 */
export interface CatchUp {
  /** a batch left messages out: read again soon */
  gap(): void;
  dispose(): void;
}

export function catchUp(read: () => Promise<void>, everyMs = 1000): CatchUp {
  let lastStart = -Infinity;
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let alive = true;

  const run = (): void => {
    timer = null;
    if (!alive) return;
    running = true;
    again = false;
    lastStart = Date.now();
    read()
      .catch(() => undefined) // the view reports its own errors; a failed catch-up is tried on the next gap
      .finally(() => {
        running = false;
        if (again) schedule();
      });
  };

  const schedule = (): void => {
    if (!alive || timer) return;
    if (running) {
      again = true; // a gap seen during the read may hold messages it missed
      return;
    }
    timer = setTimeout(run, Math.max(0, lastStart + everyMs - Date.now()));
  };

  return {
    gap: schedule,
    dispose() {
      alive = false;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Did this batch leave out messages the page would have been shown? */
export function leftOut(batch: { skipped: number; dropped?: number }): boolean {
  return batch.skipped > 0 || (batch.dropped ?? 0) > 0;
}
