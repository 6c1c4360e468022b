import { ApiError } from '../../api.js';
import type { CoreServices } from '../core.js';
import type { HandlerGroup } from './types.js';

type Methods = 'outbox.deadLetters' | 'outbox.retry' | 'outbox.discard';

/** The outbox's dead letters: list, retry (back at the end of the queue), discard (the only delete). */
export function outboxHandlers(s: Pick<CoreServices, 'outbox' | 'sessions' | 'platform'>): HandlerGroup<Methods> {
  const letters = s.outbox.deadLetters;
  const gone = (id: number) => new ApiError('not_found', `no dead letter ${id}: it was already retried or discarded`);
  return {
    'outbox.deadLetters': async ({ profileId }) => letters.list(profileId),
    'outbox.retry': async ({ id }) => {
      const moved = letters.retry(id);
      if (!moved) throw gone(id);
      s.platform.log.info(`outbox of ${moved.profileId}: dead letter ${id} queued again (outbox id ${moved.id})`);
      s.sessions.deadLetterChanged(moved.profileId, id);
      return { profileId: moved.profileId, outboxId: moved.id };
    },
    'outbox.discard': async ({ id }) => {
      const letter = letters.discard(id);
      if (!letter) throw gone(id);
      s.platform.log.info(`outbox of ${letter.profileId}: dead letter ${id} (${letter.topic}) discarded by the user`);
      s.sessions.deadLetterChanged(letter.profileId, id);
      return { profileId: letter.profileId, discarded: true as const };
    },
  };
}
