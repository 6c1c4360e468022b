/** What an MQTT credential may do, on client-side topics (`channel/resource`, `signaling/…`). */
import { mayAdmin, mayData } from './iam.js';
import { type Principal, NAME_PATTERN } from './model.js';
import { isSignalingFilter } from './topics.js';

export function publishAllowed(principal: Principal, topic: string): boolean {
  const [channel = '', resource = '*'] = topic.split('/');
  return NAME_PATTERN.test(channel) && mayData(principal, 'write', channel, resource);
}

/**
 * Also what a delivery needs: signaling is for the account (or an IAM token with admin:connection:read),
 * a wildcard level needs a right that wide (`+/temp` a `*.temp` rule, `#` a `*` rule).
 */
export function subscribeAllowed(principal: Principal, filter: string): boolean {
  if (isSignalingFilter(filter)) return mayAdmin(principal, 'connection', 'read');
  const [channel, reported] = channelResource(filter);
  const resource = reported === '#' ? '*' : reported;
  if (channel === '+' || channel === '#') return mayData(principal, 'read', '*', channel === '#' ? '*' : resource);
  return NAME_PATTERN.test(channel) && mayData(principal, 'read', channel, resource);
}

/** `channel/resource` of a filter, as signaling reports it: `#` as `#` (the SDK's tests expect it), `+` as `*`. */
export function channelResource(filter: string): [string, string] {
  const [channel = '', resource = '#'] = filter.split('/');
  return [channel, resource === '+' ? '*' : resource];
}
