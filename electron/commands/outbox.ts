/**
 * `apiary outbox dead-letters|retry|discard` — the outbox's dead letters in the data dir's store: queued QoS 1
 * messages set aside because the broker kept closing the connection over them. Nothing is deleted but by
 * `discard`; `retry` puts a message back at the end of its profile's outbox, sent when the app next connects it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DeadLetterDTO } from '../api.js';
import { SANDBOX_PROFILE_ID } from '../core/profiles/profile.js';
import { openDatabase, Outbox } from '../core/store/index.js';
import { CliError, type CommandIo, jsonLine, parse, resolveIo, runCli, usage, actionOf, noMoreArgs } from './cli-io.js';
import { dataDirOf, findProfile, openProfiles } from './credential-flags.js';

export const outboxHelp = `usage: apiary outbox <dead-letters|retry|discard> [options] [--data DIR] [--json]
  dead-letters [--profile NAME]   the messages set aside, oldest first: id, profile, topic, size, when, why
  retry ID                        put dead letter ID back at the end of its profile's outbox
  discard ID                      delete dead letter ID for good
  --data DIR                      the data dir (default ~/.apiary, or APIARY_DATA_DIR)
  --json                          machine output
While the app runs, prefer its desk (the profile's card): a message retried here is sent when the app next
connects that profile.`;

const OPTIONS = {
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
  profile: { type: 'string' },
} as const;

export async function runOutboxCommand(argv: string[], ioIn: Partial<CommandIo> = {}): Promise<number> {
  const io = resolveIo(ioIn);
  return runCli('outbox', outboxHelp, argv, io, async () => {
    const { values, positionals } = parse(argv, OPTIONS);
    const [word, idArg, ...extra] = positionals;
    noMoreArgs(extra);
    const action = actionOf(word, ['dead-letters', 'retry', 'discard']);
    if (action === 'dead-letters' && idArg) throw usage('dead-letters takes no ID (--profile NAME picks a profile)');
    if (action !== 'dead-letters' && values.profile) throw usage(`${action} takes a dead letter's ID, not --profile`);
    const dataDir = dataDirOf(values, io.env);
    const file = path.join(dataDir, 'apiary.db');
    const profiles = openProfiles(dataDir);
    const nameOf = (id: string) => profiles.get(id)?.name ?? (id === SANDBOX_PROFILE_ID ? 'Sandbox (demo)' : id);

    if (action === 'dead-letters') {
      const profileId = values.profile ? findProfile(profiles, values.profile).id : undefined;
      // no store yet: nothing was ever queued, and listing must not create one
      const list = fs.existsSync(file) ? withOutbox(file, (outbox) => outbox.deadLetters.list(profileId, 10_000)) : [];
      if (values.json) io.stdout.write(jsonLine(list.map((d) => ({ ...d, profileName: nameOf(d.profileId) }))));
      else if (!list.length) io.stdout.write('no dead letters: nothing was set aside\n');
      else for (const d of list) io.stdout.write(`${describeLetter(d, nameOf(d.profileId))}\n`);
      return 0;
    }

    const id = Number(idArg);
    if (!idArg || !Number.isSafeInteger(id) || id <= 0)
      throw usage(`${action} needs a dead letter's ID (a positive number: apiary outbox dead-letters lists them)`);
    if (!fs.existsSync(file)) throw new CliError(`no store at ${file}: there are no dead letters`);
    const notFound = () =>
      new CliError(`no dead letter ${id}: it was already retried or discarded (apiary outbox dead-letters lists them)`);
    if (action === 'retry') {
      const moved = withOutbox(file, (outbox) => outbox.deadLetters.retry(id));
      if (!moved) throw notFound();
      if (values.json) io.stdout.write(jsonLine({ retried: id, profileId: moved.profileId, outboxId: moved.id }));
      else
        io.stdout.write(
          `dead letter ${id} is queued again in the outbox of ${nameOf(moved.profileId)}: sent when the app connects it\n`,
        );
      return 0;
    }
    const letter = withOutbox(file, (outbox) => outbox.deadLetters.discard(id));
    if (!letter) throw notFound();
    if (values.json) io.stdout.write(jsonLine({ discarded: id, profileId: letter.profileId, topic: letter.topic }));
    else io.stdout.write(`discarded dead letter ${id} (${letter.topic}, ${letter.size} bytes)\n`);
    return 0;
  });
}

function withOutbox<T>(file: string, use: (outbox: Outbox) => T): T {
  const db = openDatabase(file);
  try {
    return use(new Outbox(db));
  } finally {
    db.close();
  }
}

function describeLetter(d: DeadLetterDTO, profile: string): string {
  const when = new Date(d.deadAt).toISOString().replace('T', ' ').slice(0, 19);
  return `${String(d.id).padStart(6)}  ${profile}  ${d.topic}  ${d.size} B  set aside ${when} UTC: ${d.reason}`;
}
