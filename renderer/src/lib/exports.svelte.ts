/** Exports run in the core; the UI starts one and follows its export.progress events. */
import type { ExportProgress, MessageQuery } from '../../../electron/api';
import { api } from './api';
import { errorText } from './format';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

/** One export at a time followed to its end: a call that answers an exportId, then that export's export.progress events. */
export class ExportTracker {
  current = $state.raw<ExportProgress | null>(null);
  starting = $state(false);
  error = $state<string | null>(null);

  async run(start: () => Promise<{ exportId: string }>): Promise<void> {
    this.starting = true;
    this.error = null;
    try {
      const { exportId } = await start();
      // progress may already have arrived for this id
      if (this.current?.exportId !== exportId) this.current = { exportId, done: 0, total: 0 };
    } catch (e) {
      this.error = errorText(e);
    } finally {
      this.starting = false;
    }
  }

  progress(p: ExportProgress): void {
    // the newest export wins the bar (another window may have started one)
    this.current = p;
  }

  dismiss(): void {
    this.current = null;
    this.error = null;
  }
}

/** The message log's exports (the Log's Export button). */
class ExportsState extends ExportTracker {
  start(query: Omit<MessageQuery, 'beforeId' | 'limit'>, format: ExportFormat): Promise<void> {
    return this.run(() => api.call('messages.export', { query, format }));
  }
}

export const exportsState = new ExportsState();
/** The History explorer's exports (a resource's stored records): events of kind 'history' come here. */
export const historyExports = new ExportTracker();
