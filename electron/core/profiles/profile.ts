import type { ProfileDTO, ProfileInput } from '../../api.js';

/**
 * A stored profile: everything but the secrets, which live in the vault (the password, token or key — and a
 * generic MQTT username that carries a Beebotte token: then usernameIsSecret is set and username is absent).
 */
export type Profile = Omit<ProfileDTO, 'hasSecret' | 'usernameStored'>;

export const SANDBOX_PROFILE_ID = 'sandbox';

export const BEEBOTTE_HOST = 'mqtt.beebotte.com';
export const BEEBOTTE_REST = 'https://api.beebotte.com';

export function normalizeProfile(input: ProfileInput, id: string, previous?: Profile): Profile {
  const kind = input.kind;
  const tls = kind === 'beebotte' ? (input.port ?? previous?.port ?? 8883) !== 1883 : (input.tls ?? previous?.tls ?? false);
  const profile: Profile = {
    id,
    name: input.name,
    kind,
    tls,
    protocolVersion: input.protocolVersion ?? previous?.protocolVersion ?? 4,
    verifyTls: input.verifyTls ?? previous?.verifyTls ?? true,
    subscriptions: input.subscriptions ?? previous?.subscriptions ?? defaultSubscriptions(kind),
    autoConnect: input.autoConnect ?? previous?.autoConnect ?? false,
    secretMode: input.secretMode ?? previous?.secretMode ?? 'keychain',
    builtIn: previous?.builtIn ?? false,
  };
  const url = input.url ?? previous?.url;
  if (url !== undefined && kind === 'mqtt') profile.url = url;
  if (kind === 'beebotte') profile.port = input.port ?? previous?.port ?? 8883;
  const credentialType = input.credentialType ?? previous?.credentialType;
  if (kind !== 'mqtt') profile.credentialType = credentialType ?? 'channelToken';
  for (const key of ['apiKey', 'clientId', 'caFile', 'certFile', 'keyFile'] as const) {
    const value = input[key] ?? previous?.[key];
    if (value) profile[key] = value;
  }
  if (kind === 'mqtt') {
    const username = input.username ?? previous?.username;
    if (username) profile.username = username;
  }
  // session options: absent in the input keeps the stored value — except from a form that sends cleanStart: it
  // sends the whole set, so a field it leaves blank is cleared. Subscription options are kept unless given
  // (sessions.subscribe manages them). Beebotte/sandbox ones are checked (refused) in checkProfile.
  const wholeSet = input.cleanStart !== undefined;
  for (const key of SESSION_OPTION_KEYS) {
    const keepOld = !wholeSet || key === 'subscriptionOptions';
    const value = input[key] ?? (keepOld ? previous?.[key] : undefined);
    if (value !== undefined) (profile as Record<string, unknown>)[key] = value;
  }
  if (kind !== 'mqtt' && previous?.kind === 'mqtt') {
    // switching a generic profile to Beebotte drops what Beebotte cannot do instead of refusing the switch
    for (const key of SESSION_OPTION_KEYS) if (input[key] === undefined) delete (profile as Record<string, unknown>)[key];
    if (input.protocolVersion === undefined) profile.protocolVersion = 4;
  }
  if (profile.subscriptionOptions) {
    // options of a filter no longer subscribed go with it
    const kept = Object.entries(profile.subscriptionOptions).filter(([filter]) => profile.subscriptions.includes(filter));
    profile.subscriptionOptions = Object.fromEntries(kept);
  }
  return profile;
}

/**
 * Beebotte puts the token in the MQTT username (`token_…`, `token:…`, `iamtkn_…`): such a username is a
 * secret, and profiles.json holds none. A Beebotte or Sandbox profile takes the token as its credential and
 * builds the username itself; a generic MQTT profile (a standalone sandbox, another Beebotte-compatible
 * server) keeps such a username in the vault (profiles/secret-username.ts).
 */
export function carriesBeebotteToken(username: string): boolean {
  const u = username.trim();
  return u.startsWith('token_') || u.startsWith('token:') || u.startsWith('iamtkn_');
}

/** A generic profile's session options (api/mqtt5.ts SessionOptionsInput), stored as given. */
export const SESSION_OPTION_KEYS = [
  'keepalive',
  'cleanStart',
  'sessionExpiryInterval',
  'receiveMaximum',
  'maximumPacketSize',
  'will',
  'subscriptionOptions',
] as const;

/** Options only MQTT 5 has: a 3.1.1 profile cannot send them. */
const MQTT5_ONLY = ['sessionExpiryInterval', 'receiveMaximum', 'maximumPacketSize'] as const;

function defaultSubscriptions(kind: Profile['kind']): string[] {
  return kind === 'mqtt' ? ['#'] : [];
}

/** Checks that cannot be expressed in the schema; returns a user-facing message or null. */
export function checkProfile(profile: Profile): string | null {
  if (profile.kind === 'mqtt') {
    if (!profile.url) return 'a generic MQTT profile needs a broker URL, e.g. mqtt://127.0.0.1:1883';
    let parsed: URL;
    try {
      parsed = new URL(profile.url);
    } catch {
      return `"${profile.url}" is not a URL: use mqtt://host:1883 or mqtts://host:8883`;
    }
    if (!['mqtt:', 'mqtts:', 'ws:', 'wss:', 'tcp:', 'ssl:'].includes(parsed.protocol)) {
      return `unsupported scheme ${parsed.protocol} — use mqtt://, mqtts://, ws:// or wss://`;
    }
    if (parsed.username || parsed.password) return 'put the username and password in their fields, not in the URL';
  }
  if (profile.kind === 'beebotte' && profile.port !== 1883 && profile.port !== 8883) {
    return 'Beebotte listens on 1883 (cleartext) and 8883 (TLS)';
  }
  return checkMqttFeatures(profile);
}

/**
 * Beebotte (and the sandbox, which is Beebotte-compatible) speak MQTT 3.1.1 with QoS 0/1: MQTT 5, QoS 2 and the
 * session options are for generic brokers. On a generic 3.1.1 profile, the MQTT 5 only options are refused too.
 */
function checkMqttFeatures(profile: Profile): string | null {
  const where = profile.kind === 'beebotte' ? 'Beebotte' : 'the sandbox';
  if (profile.kind !== 'mqtt') {
    if (profile.protocolVersion === 5) return `${where} speaks MQTT 3.1.1 only: MQTT 5 needs a generic MQTT profile`;
    const used = SESSION_OPTION_KEYS.filter((key) => profile[key] !== undefined);
    if (used.length) return `${used.join(', ')}: session options are for generic MQTT profiles, not ${where} (MQTT 3.1.1, QoS 0/1)`;
    return null;
  }
  if (profile.protocolVersion !== 5) {
    const used = MQTT5_ONLY.filter((key) => profile[key] !== undefined);
    if (used.length) return `${used.join(', ')} need MQTT 5: set the protocol version to 5 or leave them empty`;
    if (profile.will?.properties) return 'will properties need MQTT 5: set the protocol version to 5 or remove them';
    const v5Options = Object.entries(profile.subscriptionOptions ?? {}).find(
      ([, o]) => o.noLocal || o.retainAsPublished || o.retainHandling !== 0,
    );
    if (v5Options) return `subscription options of ${v5Options[0]} (no local, retain as published, retain handling) need MQTT 5`;
  }
  if (profile.will) {
    const problem = /[+#]/.test(profile.will.topic) ? 'the last will topic cannot contain + or #' : null;
    if (problem) return problem;
  }
  return null;
}
