/** Beebotte naming rules (channels and resources): `^\w+$`, 2–64 characters. */
export const NAME_PATTERN = /^\w{2,64}$/;

/** Beebotte's resource value types (docs: resources). The one list: the sandbox, the CLI, the contract and the UI use it. */
export const VTYPES = [
  'any',
  'number',
  'string',
  'boolean',
  'object',
  'function',
  'array',
  'alphabetic',
  'alphanumeric',
  'decimal',
  'rate',
  'percentage',
  'email',
  'gps',
  'cpu',
  'memory',
  'netif',
  'disk',
  'temperature',
  'humidity',
  'body_temp',
] as const;
export type Vtype = (typeof VTYPES)[number];

/** How the naming rule reads in an error message. */
export const NAME_RULE = '2–64 letters, digits or _ (no spaces, dashes or dots)';

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name);
}

/** Why Beebotte would refuse this channel or resource name, or null. */
export function nameError(name: string, what: 'channel' | 'resource'): string | null {
  if (!name) return `enter a ${what} name`;
  return isValidName(name) ? null : `${what} names are ${NAME_RULE}`;
}

/** Beebotte topics are exactly `channel/resource`; `channel/#` subscribes to a whole channel. */
export function checkPublishTopic(topic: string): string | null {
  const parts = topic.split('/');
  if (parts.length !== 2) return `Beebotte topics are channel/resource; "${clip(topic)}" has ${parts.length} level(s)`;
  const [channel, resource] = parts as [string, string];
  if (!isValidName(channel)) return `channel "${clip(channel)}" must be 2–64 letters, digits or _`;
  if (!isValidName(resource)) return `resource "${clip(resource)}" must be 2–64 letters, digits or _`;
  return null;
}

export function checkSubscribeFilter(filter: string): string | null {
  const parts = filter.split('/');
  if (parts.length !== 2) return `Beebotte subscriptions are channel/resource or channel/#; got "${clip(filter)}"`;
  const [channel, resource] = parts as [string, string];
  if (!isValidName(channel) && channel !== '+') return `channel "${clip(channel)}" must be 2–64 letters, digits or _`;
  if (!isValidName(resource) && resource !== '#' && resource !== '+') {
    return `resource "${clip(resource)}" must be 2–64 letters, digits or _, or #`;
  }
  return null;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
