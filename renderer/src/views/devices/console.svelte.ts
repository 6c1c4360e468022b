/**
 * The Devices screen's serial console: one port at a time, its settings, and what went both ways (bounded
 * here too). Pure helpers (hex ↔ text, a line per entry) are plain functions so the panel stays small.
 */
import type { ConsoleEntryDTO, ConsoleStateDTO } from '../../../../electron/api';
import { api } from '../../lib/api';
import { errorText } from '../../lib/format';
import { DEFAULT_BAUD } from './ports';
import { entryLine } from './console-lines';

export { entryLine } from './console-lines';

export type LineEnding = ConsoleStateDTO['lineEnding'];
/** the renderer keeps at most this many entries (the core keeps its own bounded log) */
export const MAX_ENTRIES = 2000;

class ConsoleState {
  port = $state('');
  baudRate = $state<number>(DEFAULT_BAUD);
  dtr = $state(false);
  rts = $state(false);
  lineEnding = $state<LineEnding>('lf');
  hex = $state(false);
  timestamps = $state(true);
  open = $state.raw<ConsoleStateDTO | null>(null);
  entries = $state.raw<ConsoleEntryDTO[]>([]);
  error = $state<string | null>(null);
  busy = $state(false);

  private subscribed = false;

  subscribe(): void {
    if (this.subscribed) return;
    this.subscribed = true;
    api.on('console.data', (e) => {
      if (e.consoleId !== this.open?.consoleId) return;
      const next = [...this.entries, e];
      this.entries = next.length > MAX_ENTRIES ? next.slice(-MAX_ENTRIES) : next;
    });
    api.on('console.closed', (c) => {
      if (c.consoleId !== this.open?.consoleId) return;
      this.open = null;
      this.error = `${c.port} closed: ${c.reason ?? 'unplugged?'} — plug it in and open it again`;
    });
  }

  async connect(): Promise<void> {
    this.subscribe();
    if (!this.port.trim()) {
      this.error = 'type a port path, e.g. /dev/ttyUSB0';
      return;
    }
    await this.run(async () => {
      this.entries = [];
      this.open = await api.call('console.open', {
        port: this.port.trim(),
        baudRate: this.baudRate,
        dtr: this.dtr,
        rts: this.rts,
        lineEnding: this.lineEnding,
      });
    });
  }

  async disconnect(): Promise<void> {
    const id = this.open?.consoleId;
    if (!id) return;
    await this.run(async () => {
      await api.call('console.close', { consoleId: id });
      this.open = null;
    });
  }

  async send(text: string, asHex: boolean): Promise<boolean> {
    const id = this.open?.consoleId;
    if (!id) return false;
    return this.run(async () => {
      await api.call('console.send', asHex ? { consoleId: id, hex: text } : { consoleId: id, line: text });
    });
  }

  /** DTR, RTS or the line ending changed: an open console follows at once. */
  async apply(): Promise<void> {
    const id = this.open?.consoleId;
    if (!id) return;
    await this.run(async () => {
      this.open = await api.call('console.set', { consoleId: id, dtr: this.dtr, rts: this.rts, lineEnding: this.lineEnding });
    });
  }

  /** The log as a text file, downloaded (the desktop app asks where to save it). */
  save(): void {
    const head = `# ${this.open?.port ?? this.port} at ${this.open?.baudRate ?? this.baudRate} baud\n`;
    const text = head + this.entries.map((e) => entryLine(e, { hex: this.hex, timestamps: true })).join('\n') + '\n';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    a.download = `console-${(this.open?.port ?? this.port).replace(/[^\w.-]+/g, '_')}-${new Date().toISOString().replace(/[:.]/g, '-')}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  private async run(fn: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = null;
    try {
      await fn();
      return true;
    } catch (e) {
      this.error = errorText(e);
      return false;
    } finally {
      this.busy = false;
    }
  }
}

export const serialConsole = new ConsoleState();
