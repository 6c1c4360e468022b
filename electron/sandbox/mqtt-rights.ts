/** What an MQTT credential may do, on client-side topics (`channel/resource`, `signaling/…`). */
import { type Principal, NAME_PATTERN, canUseChannel, coversWholeAccount } from './model.js';
import { isSignalingFilter } from './topics.js';

export function publishAllowed(principal: Principal, topic: string): boolean {
  const channel = topic.split('/')[0] ?? '';
  return NAME_PATTERN.test(channel) && canUseChannel(principal, channel);
}

/** Also what a delivery needs: signaling is for the account's secret key, wildcard channels for the whole account. */
export function subscribeAllowed(principal: Principal, filter: string): boolean {
  if (isSignalingFilter(filter)) return principal.kind === 'account';
  const channel = filter.split('/')[0] ?? '';
  if (channel === '+' || channel === '#') return coversWholeAccount(principal);
  return NAME_PATTERN.test(channel) && canUseChannel(principal, channel);
}

/** `channel/resource` of a filter, as signaling reports it (`*` for a wildcard resource). */
export function channelResource(filter: string): [string, string] {
  const [channel = '', resource = '#'] = filter.split('/');
  return [channel, resource === '#' || resource === '+' ? '*' : resource];
}
