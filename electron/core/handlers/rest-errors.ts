import { ApiError } from '../../api/wire.js';
import { BeebotteRestError } from '../beebotte/rest-client.js';

/**
 * Runs a REST step and lets a Beebotte refusal reach the user in the server's own words (which right is
 * missing, which name is wrong) as an ApiError; anything else passes unchanged. `notFound` is the code a 404
 * becomes: 'failed' by default, 'not_found' where the desk acts on a gone record (History drops it from its table).
 */
export async function restInWords<T>(work: () => Promise<T>, notFound: 'failed' | 'not_found' = 'failed'): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BeebotteRestError) throw new ApiError(err.status === 404 ? notFound : 'failed', err.message);
    throw err;
  }
}
