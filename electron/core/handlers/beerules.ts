import { ApiError, type BeeruleDTO } from '../../api.js';
import {
  type BeeruleInfo,
  beeruleRuns,
  createBeerule,
  deleteBeerule,
  describeBeerule,
  invokeBeerule,
  listBeerules,
  setBeeruleEnabled,
  updateBeerule,
} from '../beebotte/beerules-client.js';
import { BeebotteRestError } from '../beebotte/rest-client.js';
import type { CoreServices } from '../core.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods =
  'beerules.list' | 'beerules.save' | 'beerules.remove' | 'beerules.setEnabled' | 'beerules.invoke' | 'beerules.runs';

/** Beerules (the desk's Account → Beerules, core/beebotte/beerules-client.ts): one-line adapters over REST. */
export function beeruleHandlers(s: Pick<CoreServices, 'profiles' | 'sandbox' | 'vault'>): HandlerGroup<Methods> {
  const rest = (profileId: string) => restForProfile(s, profileId);
  // the server's words (which right is missing, which name is wrong) are the error the user reads
  const readable = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof BeebotteRestError) throw new ApiError('failed', err.message);
      throw err;
    }
  };
  const dto = (info: BeeruleInfo): BeeruleDTO => ({ ...info, summary: describeBeerule(info) });

  return {
    'beerules.list': ({ profileId }) => readable(async () => (await listBeerules(await rest(profileId))).map(dto)),
    'beerules.save': ({ profileId, ruleId, ...spec }) =>
      readable(async () => {
        const r = await rest(profileId);
        return dto(ruleId ? await updateBeerule(r, ruleId, spec) : await createBeerule(r, spec));
      }),
    'beerules.remove': ({ profileId, ruleId }) =>
      readable(async () => {
        await deleteBeerule(await rest(profileId), ruleId);
        return { removed: true as const };
      }),
    'beerules.setEnabled': ({ profileId, ruleId, enabled }) =>
      readable(async () => dto(await setBeeruleEnabled(await rest(profileId), ruleId, enabled))),
    'beerules.invoke': ({ profileId, ruleId, channel, resource, data }) =>
      readable(async () => ({
        run: await invokeBeerule(await rest(profileId), ruleId, { channel, resource, ...(data !== undefined ? { data } : {}) }),
      })),
    'beerules.runs': ({ profileId, ruleId }) => readable(async () => beeruleRuns(await rest(profileId), ruleId)),
  };
}
