import { randomUUID } from 'node:crypto';
import type { PublishHistoryEntry, Template } from '../../api.js';
import type { Settings } from '../store/index.js';
import type * as Database from '../store/sqlite-types.js';
import type { Logger } from '../platform.js';
import { PublishHistory } from './publish-history.js';

const TEMPLATES = 'composer.templates';
export const MAX_TEMPLATES = 200;

/** Saved publish templates (kept in the settings table) and the publish history (its own table). */
export class ComposerStore {
  private readonly publishHistory: PublishHistory;

  constructor(
    private readonly settings: Settings,
    db: Database.Database,
    log?: Pick<Logger, 'warn'>,
  ) {
    this.publishHistory = new PublishHistory(db, log);
  }

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
    return this.publishHistory.list(limit);
  }

  record(entry: PublishHistoryEntry): void {
    this.publishHistory.record(entry);
  }

  /** Writes the history entries still held (before the database closes). */
  close(): void {
    this.publishHistory.flush();
  }
}
