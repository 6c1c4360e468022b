import { BeebotteRestError } from './rest-client.js';

/**
 * Runs a REST step; when Beebotte refuses it for a missing right (code 1102) the error keeps the server's head
 * ("… answered 403/1102") and says, in `explain`'s words, which right the step needs instead of the generic
 * "not allowed". Other errors pass unchanged.
 */
export async function explainMissingRight<T>(work: () => Promise<T>, explain: (serverMessage: string) => string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof BeebotteRestError && err.code === 1102) {
      const cut = err.message.indexOf(': ');
      const head = cut > 0 ? err.message.slice(0, cut) : `answered ${err.status}/1102`;
      throw new BeebotteRestError(err.status, err.code, `${head}: ${explain(err.message)}`);
    }
    throw err;
  }
}
