import { randomUUID } from 'node:crypto';
import type { PublishHistoryEntry, Template } from '../../api.js';
import type { Settings } from '../store/index.js';

const TEMPLATES = 'composer.templates';
const HISTORY = 'composer.history';
export const MAX_TEMPLATES = 200;
export const MAX_HISTORY = 200;
/** history keeps what was published, clipped: it is a reminder, not a second message log */
const HISTORY_DATA_CHARS = 4096;

/** Saved publish templates and the publish history, kept in the settings table. */
export class ComposerStore {
  constructor(private readonly settings: Settings) {}

  templates(): Template[] {
    return this.settings.get<Template[]>(TEMPLATES, []);
  }

  saveTemplate(input: Omit<Template, 'id'> & { id?: string }): Template {
    const list = this.templates();
    const template: Template = { ...input, id: input.id ?? randomUUID().slice(0, 8) };
    const index = list.findIndex((t) => t.id === template.id);
    if (index >= 0) list[index] = template;
    else {
      if (list.length >= MAX_TEMPLATES) throw new Error(`at most ${MAX_TEMPLATES} templates: remove one first`);
      list.push(template);
    }
    this.settings.set(TEMPLATES, list);
    return template;
  }

  removeTemplate(id: string): boolean {
    const list = this.templates();
    const next = list.filter((t) => t.id !== id);
    this.settings.set(TEMPLATES, next);
    return next.length !== list.length;
  }

  history(limit: number): PublishHistoryEntry[] {
    return this.settings.get<PublishHistoryEntry[]>(HISTORY, []).slice(0, limit);
  }

  record(entry: PublishHistoryEntry): void {
    const clipped = { ...entry, data: entry.data.length > HISTORY_DATA_CHARS ? `${entry.data.slice(0, HISTORY_DATA_CHARS)}…` : entry.data };
    const list = [clipped, ...this.settings.get<PublishHistoryEntry[]>(HISTORY, [])].slice(0, MAX_HISTORY);
    this.settings.set(HISTORY, list);
  }
}
