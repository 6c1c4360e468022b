import type { BeeruleDTO } from '../../api.js';
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
import type { CoreServices } from '../core.js';
import { restInWords } from './rest-errors.js';
import { restForProfile } from './rest.js';
import type { HandlerGroup } from './types.js';

type Methods =
  'beerules.list' | 'beerules.save' | 'beerules.remove' | 'beerules.setEnabled' | 'beerules.invoke' | 'beerules.runs';

/** Beerules (the desk's Account → Beerules, core/beebotte/beerules-client.ts): one-line adapters over REST. */
export function beeruleHandlers(s: Pick<CoreServices, 'profiles' | 'sandbox' | 'vault'>): HandlerGroup<Methods> {
  const rest = (profileId: string) => restForProfile(s, profileId);
  const dto = (info: BeeruleInfo): BeeruleDTO => ({ ...info, summary: describeBeerule(info) });

  return {
    'beerules.list': ({ profileId }) => restInWords(async () => (await listBeerules(await rest(profileId))).map(dto)),
    'beerules.save': ({ profileId, ruleId, ...spec }) =>
      restInWords(async () => {
        const r = await rest(profileId);
        return dto(ruleId ? await updateBeerule(r, ruleId, spec) : await createBeerule(r, spec));
      }),
    'beerules.remove': ({ profileId, ruleId }) =>
      restInWords(async () => {
        await deleteBeerule(await rest(profileId), ruleId);
        return { removed: true as const };
      }),
    'beerules.setEnabled': ({ profileId, ruleId, enabled }) =>
      restInWords(async () => dto(await setBeeruleEnabled(await rest(profileId), ruleId, enabled))),
    'beerules.invoke': ({ profileId, ruleId, channel, resource, data }) =>
      restInWords(async () => ({
        run: await invokeBeerule(await rest(profileId), ruleId, { channel, resource, ...(data !== undefined ? { data } : {}) }),
      })),
    'beerules.runs': ({ profileId, ruleId }) => restInWords(async () => beeruleRuns(await rest(profileId), ruleId)),
  };
}
