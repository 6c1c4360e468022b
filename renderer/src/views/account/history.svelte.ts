/**
 * The History section's state: what to read (a resource, a named range or custom start/end, raw or hour/day
 * statistics, a sample rate, a limit), what came back, and the edit / delete / export actions on it. Kept while the
 * user switches sections, so coming back shows the same read.
 */
import type { HistoryQuery, HistoryReadResult, HistoryRecordDTO } from '../../../../electron/api';
import { READ_LIMIT_MAX, SAMPLE_RATE_MAX, type ReadSource } from '../../../../electron/common/read-ranges';
import { api } from '../../lib/api';
import { historyExports } from '../../lib/exports.svelte';
import { errorText, exactTime } from '../../lib/format';

export { READ_RANGES, READ_LIMIT_MAX, SAMPLE_RATE_MAX } from '../../../../electron/common/read-ranges';

export const SOURCES: { value: ReadSource; label: string }[] = [
  { value: 'raw', label: 'Raw records' },
  { value: 'hour-stats', label: 'Hour statistics' },
  { value: 'day-stats', label: 'Day statistics' },
];

export interface Note {
  kind: 'ok' | 'error';
  text: string;
}

class HistoryState {
  rangeMode = $state<'named' | 'custom'>('named');
  timeRange = $state('1day');
  /** `datetime-local` values (local time) */
  start = $state('');
  end = $state('');
  source = $state<ReadSource>('raw');
  sampleRate = $state(1);
  limit = $state(750);

  result = $state.raw<HistoryReadResult | null>(null);
  /** `profile/channel/resource` the result belongs to */
  shownFor = $state<string | null>(null);
  /** `profile/channel/resource` last asked for (shown or failed): a failed read is not retried on its own */
  requestedFor = $state<string | null>(null);
  /** the query that read the result: what Export exports */
  private shownQuery: HistoryQuery | null = null;
  loading = $state(false);
  error = $state<string | null>(null);
  note = $state<Note | null>(null);

  /** The query for the form's values, or what to fix in the form. */
  query(profileId: string, channel: string, resource: string): HistoryQuery | string {
    if (!Number.isInteger(this.limit) || this.limit < 1 || this.limit > READ_LIMIT_MAX) return `Limit: a whole number from 1 to ${READ_LIMIT_MAX}.`;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate < 1 || this.sampleRate > SAMPLE_RATE_MAX)
      return `Sample rate: a whole number from 1 to ${SAMPLE_RATE_MAX} (1 keeps every record).`;
    const base = { profileId, channel, resource, source: this.source, limit: this.limit, ...(this.sampleRate > 1 ? { sampleRate: this.sampleRate } : {}) };
    if (this.rangeMode === 'named') return { ...base, timeRange: this.timeRange };
    const start = Date.parse(this.start);
    const end = this.end ? Date.parse(this.end) : Date.now();
    if (Number.isNaN(start)) return 'Custom range: choose a start date and time.';
    if (Number.isNaN(end)) return 'Custom range: the end is not a date (leave it empty for now).';
    if (start > end) return 'Custom range: the start is after the end.';
    return { ...base, start, end };
  }

  async load(profileId: string, channel: string, resource: string): Promise<void> {
    const q = this.query(profileId, channel, resource);
    if (typeof q === 'string') {
      this.error = q;
      return;
    }
    this.loading = true;
    this.requestedFor = `${profileId}/${channel}/${resource}`;
    this.error = null;
    this.note = null;
    try {
      this.result = await api.call('history.read', q);
      this.shownFor = `${profileId}/${channel}/${resource}`;
      this.shownQuery = q;
    } catch (e) {
      this.result = null;
      this.shownFor = null;
      this.shownQuery = null;
      this.error = `Cannot read ${channel}/${resource}: ${errorText(e)}`;
    } finally {
      this.loading = false;
    }
  }

  /** `text` is the new value as JSON; returns what to fix, or null when saved. */
  async update(profileId: string, channel: string, resource: string, record: HistoryRecordDTO, text: string): Promise<string | null> {
    try {
      JSON.parse(text);
    } catch {
      return 'Not JSON: a number (21.5), "text" in quotes, true/false, {…} or […].';
    }
    try {
      await api.call('history.updateRecord', { profileId, channel, resource, id: record.id, data: text });
    } catch (e) {
      return errorText(e);
    }
    await this.load(profileId, channel, resource);
    this.note = { kind: 'ok', text: `Record of ${exactTime(record.ts)} updated.` };
    return null;
  }

  async remove(profileId: string, channel: string, resource: string, record: HistoryRecordDTO): Promise<void> {
    try {
      await api.call('history.deleteRecord', { profileId, channel, resource, id: record.id });
      const r = this.result;
      if (r?.source === 'raw') this.result = { source: 'raw', records: r.records.filter((x) => x.id !== record.id) };
      this.note = { kind: 'ok', text: `Record of ${exactTime(record.ts)} deleted.` };
    } catch (e) {
      this.note = { kind: 'error', text: `Record of ${exactTime(record.ts)} not deleted: ${errorText(e)}` };
    }
  }

  /** Exports what the table shows: the query of the last read (the form may have changed since). */
  async exportShown(format: 'csv' | 'json'): Promise<void> {
    const query = this.shownQuery;
    if (!query) return;
    await historyExports.run(() => api.call('history.export', { query, format }));
  }
}

export const history = new HistoryState();
