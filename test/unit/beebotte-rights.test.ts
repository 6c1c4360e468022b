/**
 * A refusal for a missing right (Beebotte's 1102) reads as the right the step needs — the same shaping for
 * Beerules and connections (core/beebotte/rights.ts); other errors pass unchanged.
 */
import { describe, expect, it } from 'vitest';
import { createBeerule, listBeerules } from '../../electron/core/beebotte/beerules-client.js';
import { listConnections } from '../../electron/core/beebotte/connections-client.js';
import { BeebotteRestError, type BeebotteRest } from '../../electron/core/beebotte/rest-client.js';

/** A REST client whose every request is answered with `error` (the shaping is what is under test). */
const refusing = (error: Error) => ({ request: () => Promise.reject(error) }) as unknown as BeebotteRest;
const notAllowed = (why: string) =>
  new BeebotteRestError(405, 1102, `GET /v1/x answered 405/1102: Operation not allowed: ${why}`);
const spec = {
  name: 'hot',
  trigger: { event: 'write' as const, channel: 'hive', resource: 'temp' },
  action: { type: 'publish', channel: 'garden', resource: 'alarm' },
};

describe('a missing right, in words', () => {
  it('names the right listing needs, keeping the server head', async () => {
    await expect(listConnections(refusing(notAllowed('no')))).rejects.toThrow(
      /^GET \/v1\/x answered 405\/1102: listing connections needs .*admin:connection:read/,
    );
    await expect(listBeerules(refusing(notAllowed('no')))).rejects.toThrow(
      /^GET \/v1\/x answered 405\/1102: listing Beerules needs .*admin:beerule:read/,
    );
  });

  it("keeps the server's reason when a rule reaches beyond the credential's data rights", async () => {
    const error = notAllowed('this token cannot make a Beerule that publishes to garden/alarm');
    await expect(createBeerule(refusing(error), spec)).rejects.toThrow(
      'GET /v1/x answered 405/1102: this credential cannot make or run a Beerule that publishes to garden/alarm',
    );
  });

  it('passes other errors unchanged', async () => {
    const gone = new BeebotteRestError(404, 1302, 'GET /v1/x answered 404/1302: not found');
    await expect(listConnections(refusing(gone))).rejects.toBe(gone);
  });
});
