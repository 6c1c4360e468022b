/**
 * Account namespacing inside the broker. Clients speak `channel/resource`; aedes only ever sees
 * `D/<owner>/channel/resource` (data) and `S/<owner>/<event>` (signaling), so no wildcard of one account
 * can match another's topics. `D` and `S` are one character long, so no legal channel name collides.
 */
const SIGNALING = 'signaling';

export function internalDataTopic(owner: string, clientTopic: string): string {
  return `D/${owner}/${clientTopic}`;
}

export function internalSignalTopic(owner: string, event: string): string {
  return `S/${owner}/${event}`;
}

/** Where a client filter lives inside the broker: `signaling/...` maps to the signal space. */
export function internalFilter(owner: string, clientFilter: string): string {
  if (clientFilter === SIGNALING || clientFilter.startsWith(`${SIGNALING}/`)) {
    return `S/${owner}${clientFilter.slice(SIGNALING.length)}`;
  }
  return internalDataTopic(owner, clientFilter);
}

export function isSignalingFilter(clientFilter: string): boolean {
  return clientFilter === SIGNALING || clientFilter.startsWith(`${SIGNALING}/`);
}

/** Back to what the client sees; null when the internal topic is not in this owner's space. */
export function clientTopic(owner: string, internal: string): string | null {
  const data = `D/${owner}/`;
  if (internal.startsWith(data)) return internal.slice(data.length);
  const signal = `S/${owner}/`;
  if (internal.startsWith(signal)) return `${SIGNALING}/${internal.slice(signal.length)}`;
  return null;
}

/** A filter re-presented by aedes when it restores a persistent session is already internal: undo it. */
export function stripOwnSpace(owner: string, filter: string): string {
  return clientTopic(owner, filter) ?? filter;
}
