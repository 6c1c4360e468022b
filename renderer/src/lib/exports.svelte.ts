/** Exports run in the core; the UI starts one and follows its export.progress events. */
import type { ExportProgress, MessageQuery } from '../../../electron/api';
import { api } from './api';
import { errorText } from './format';

export type ExportFormat = 'csv' | 'json' | 'ndjson';

class ExportsState {
  current = $state.raw<ExportProgress | null>(null);
  starting = $state(false);
  error = $state<string | null>(null);

  async start(query: Omit<MessageQuery, 'beforeId' | 'limit'>, format: ExportFormat): Promise<void> {
    this.starting = true;
    this.error = null;
    try {
      const { exportId } = await api.call('messages.export', { query, format });
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

export const exportsState = new ExportsState();
