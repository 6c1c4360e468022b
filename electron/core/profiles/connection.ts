import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { beebotteUsername } from '../beebotte/credentials.js';
import { BEEBOTTE_HOST, type Profile } from './profile.js';
import type { SessionConfig, SessionSubscription } from '../session/session.js';
import { toPublishProperties } from '../session/properties.js';

export interface SandboxEndpoint {
  mqtt: string;
  mqtts?: string;
  ca?: string;
}

/** Unique per run, so two Apiary instances (or two profiles) never kick each other off the broker. */
export function defaultClientId(profile: Profile): string {
  return `apiary-${profile.id}-${randomBytes(4).toString('hex')}`;
}

const credentialHints: Record<string, string> = {
  channelToken: 'check the channel token in the profile',
  iamToken: 'check the IAM token in the profile',
  secretKey: 'check the account secret key in the profile',
  mqtt: 'check the username and password in the profile',
  mqttToken: 'check the token given as the username (and the password) in the profile',
};

/**
 * Turns a profile + its secret into what a Session needs. Secrets stay in this object only. A generic
 * profile's username comes in `ctx.username` when it is a secret itself (usernameIsSecret, read from the vault
 * by secret-username.ts usernameOf); otherwise from the profile.
 */
export function buildSessionConfig(
  profile: Profile,
  secret: string | null,
  ctx: { sandbox?: SandboxEndpoint; resourcesDir: string; username?: string },
): SessionConfig {
  const base = {
    profileId: profile.id,
    subscriptions: subscriptionsOf(profile),
  };
  const clientId = profile.clientId || defaultClientId(profile);
  if (profile.kind === 'mqtt') {
    const url = new URL(profile.url!);
    const secure = url.protocol === 'mqtts:' || url.protocol === 'wss:' || url.protocol === 'ssl:';
    const username = ctx.username ?? (profile.usernameIsSecret ? undefined : profile.username);
    return {
      ...base,
      ...sessionOptions(profile),
      url: profile.url!,
      displayHost: url.host,
      credentialHint: credentialHints[profile.usernameIsSecret ? 'mqttToken' : 'mqtt']!,
      options: {
        clientId,
        protocolVersion: profile.protocolVersion,
        ...connectExtras(profile),
        ...(username ? { username } : {}),
        ...(secret ? { password: secret } : {}),
        ...(secure ? tlsOptions(profile, []) : {}),
      },
    };
  }
  const type = profile.credentialType ?? 'channelToken';
  const username = secret ? beebotteUsername(type, secret) : undefined;
  if (profile.kind === 'sandbox') {
    const sandbox = ctx.sandbox;
    if (!sandbox) throw new Error('the embedded sandbox is not running');
    const useTls = profile.tls && sandbox.mqtts;
    const url = useTls ? sandbox.mqtts! : sandbox.mqtt;
    return {
      ...base,
      url,
      displayHost: `the sandbox (${new URL(url).host})`,
      credentialHint: credentialHints[type]!,
      options: {
        clientId,
        protocolVersion: 4,
        ...(username ? { username, password: '' } : {}),
        ...(useTls && sandbox.ca ? { ca: [fs.readFileSync(sandbox.ca)], rejectUnauthorized: true } : {}),
      },
    };
  }
  // Beebotte cloud: MQTT 3.1.1, 8883 TLS (Beebotte's CA root shipped in resources/certs) or 1883.
  const port = profile.port ?? 8883;
  const tls = port !== 1883;
  const beebotteCa = fs.readFileSync(path.join(ctx.resourcesDir, 'certs', 'beebotte-ca.pem'));
  return {
    ...base,
    url: `${tls ? 'mqtts' : 'mqtt'}://${BEEBOTTE_HOST}:${port}`,
    displayHost: BEEBOTTE_HOST,
    credentialHint: credentialHints[type]!,
    options: {
      clientId,
      protocolVersion: 4,
      ...(username ? { username, password: '' } : {}),
      ...(tls ? { ...tlsOptions(profile, [beebotteCa]), servername: BEEBOTTE_HOST } : {}),
    },
  };
}

/** The profile's filters with their options; Beebotte and the sandbox subscribe at QoS 1 with none. */
function subscriptionsOf(profile: Profile): SessionSubscription[] {
  return profile.subscriptions.map((filter) => {
    const o = profile.kind === 'mqtt' ? profile.subscriptionOptions?.[filter] : undefined;
    if (!o) return { filter, qos: 1 };
    return {
      filter,
      qos: o.qos,
      noLocal: o.noLocal,
      retainAsPublished: o.retainAsPublished,
      retainHandling: o.retainHandling,
      ...(o.paused ? { paused: true } : {}),
      ...(o.colour ? { colour: o.colour } : {}),
    };
  });
}

/** A generic profile's keepalive and clean start (both protocol versions). */
function sessionOptions(profile: Profile): Pick<SessionConfig, 'keepaliveSeconds' | 'cleanStart'> {
  return {
    ...(profile.keepalive !== undefined ? { keepaliveSeconds: profile.keepalive } : {}),
    ...(profile.cleanStart !== undefined ? { cleanStart: profile.cleanStart } : {}),
  };
}

/** MQTT 5 CONNECT properties and the last will, for a generic profile. */
function connectExtras(profile: Profile): Pick<SessionConfig['options'], 'properties' | 'will'> {
  const v5 = profile.protocolVersion === 5;
  const out: Pick<SessionConfig['options'], 'properties' | 'will'> = {};
  if (v5) {
    const properties: NonNullable<SessionConfig['options']['properties']> = {};
    if (profile.sessionExpiryInterval !== undefined) properties.sessionExpiryInterval = profile.sessionExpiryInterval;
    if (profile.receiveMaximum !== undefined) properties.receiveMaximum = profile.receiveMaximum;
    if (profile.maximumPacketSize !== undefined) properties.maximumPacketSize = profile.maximumPacketSize;
    if (Object.keys(properties).length) out.properties = properties;
  }
  const will = profile.will;
  if (will) {
    const { willDelayInterval, ...rest } = will.properties ?? {};
    const props = v5 ? { ...toPublishProperties(rest), ...(willDelayInterval !== undefined ? { willDelayInterval } : {}) } : {};
    out.will = {
      topic: will.topic,
      payload: Buffer.from(will.payload ?? '', 'utf8'),
      qos: will.qos ?? 0,
      retain: will.retain ?? false,
      ...(Object.keys(props).length ? { properties: props } : {}),
    };
  }
  return out;
}

function tlsOptions(profile: Profile, extraCa: Buffer[]): SessionConfig['options'] {
  const ca = [...extraCa];
  if (profile.caFile) ca.push(fs.readFileSync(profile.caFile));
  return {
    // extra CAs are added to (not instead of) the system store
    ...(ca.length ? { ca: [...ca, ...systemRoots()] } : {}),
    ...(profile.certFile ? { cert: fs.readFileSync(profile.certFile) } : {}),
    ...(profile.keyFile ? { key: fs.readFileSync(profile.keyFile) } : {}),
    rejectUnauthorized: profile.verifyTls,
  };
}

let roots: Buffer[] | null = null;
function systemRoots(): Buffer[] {
  roots ??= tls.rootCertificates.map((pem) => Buffer.from(pem));
  return roots;
}
