import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Profile } from './profile.js';

/**
 * profiles.json in the data dir: names, hosts, options — never a secret (those are in the vault).
 * Written atomically (temp file + rename) so a crash cannot leave half a file.
 */
export class ProfileStore {
  private profiles = new Map<string, Profile>();

  constructor(private readonly file: string) {
    this.load();
  }

  list(): Profile[] {
    return [...this.profiles.values()];
  }

  get(id: string): Profile | undefined {
    return this.profiles.get(id);
  }

  findByName(name: string): Profile | undefined {
    return this.list().find((p) => p.name === name || p.id === name);
  }

  newId(): string {
    return randomUUID().slice(0, 8);
  }

  put(profile: Profile): void {
    this.profiles.set(profile.id, profile);
    this.save();
  }

  /** Built-in profiles are kept in memory only (rebuilt at every start). */
  putBuiltIn(profile: Profile): void {
    this.profiles.set(profile.id, { ...profile, builtIn: true });
  }

  remove(id: string): boolean {
    const removed = this.profiles.delete(id);
    if (removed) this.save();
    return removed;
  }

  private load(): void {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch {
      return; // first run
    }
    try {
      const parsed = JSON.parse(text) as { profiles?: Profile[] };
      for (const profile of parsed.profiles ?? []) {
        if (profile && typeof profile.id === 'string') this.profiles.set(profile.id, { ...profile, builtIn: false });
      }
    } catch {
      // keep the unreadable file for the user; start empty rather than crash
      fs.renameSync(this.file, `${this.file}.unreadable-${Date.now()}`);
    }
  }

  private save(): void {
    const own = this.list().filter((p) => !p.builtIn);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.tmp`;
    fs.writeFileSync(temp, `${JSON.stringify({ version: 1, profiles: own }, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temp, this.file);
  }
}
