/** The profile form's model, and its translation to the contract's ProfileInput (secrets inbound only). */
import type { ProfileDTO, ProfileInput } from '../../../../electron/api';

export interface ProfileDraft {
  id?: string;
  name: string;
  kind: 'beebotte' | 'mqtt' | 'sandbox';
  credentialType: 'channelToken' | 'iamToken' | 'secretKey';
  port: 1883 | 8883;
  apiKey: string;
  url: string;
  /** typed by the user; empty on edit when the stored username is a secret (usernameIsSecret) */
  username: string;
  /** generic MQTT: the stored username carries a Beebotte token, so the core keeps it in the vault */
  usernameIsSecret: boolean;
  /** …and holds it now (an 'ask at connect' one lasts one run) */
  usernameStored: boolean;
  forgetUsername: boolean;
  clientId: string;
  protocolVersion: 4 | 5;
  caFile: string;
  certFile: string;
  keyFile: string;
  verifyTls: boolean;
  subscriptions: string;
  autoConnect: boolean;
  secretMode: 'keychain' | 'ask';
  /** typed by the user; never filled from the core (it has no way to send one) */
  secret: string;
  clearSecret: boolean;
  hasSecret: boolean;
  /** generic MQTT session options (text fields: empty = the library's default) */
  session: SessionDraft;
}

export interface SessionDraft {
  keepalive: string;
  cleanStart: boolean;
  sessionExpiry: string;
  receiveMaximum: string;
  maximumPacketSize: string;
  willTopic: string;
  willPayload: string;
  willQos: 0 | 1 | 2;
  willRetain: boolean;
}

const text = (n: number | undefined) => (n === undefined ? '' : String(n));

function sessionDraft(p?: ProfileDTO): SessionDraft {
  return {
    keepalive: text(p?.keepalive),
    cleanStart: p?.cleanStart ?? true,
    sessionExpiry: text(p?.sessionExpiryInterval),
    receiveMaximum: text(p?.receiveMaximum),
    maximumPacketSize: text(p?.maximumPacketSize),
    willTopic: p?.will?.topic ?? '',
    willPayload: p?.will?.payload ?? '',
    willQos: p?.will?.qos ?? 0,
    willRetain: p?.will?.retain ?? false,
  };
}

/** The session options as the contract takes them; a UI that sends cleanStart sends the whole set (blank = none). */
function sessionInput(d: SessionDraft, v5: boolean): Partial<ProfileInput> {
  const n = (t: string) => (t.trim() === '' ? undefined : Number(t.trim()));
  const out: Partial<ProfileInput> = { cleanStart: d.cleanStart };
  const keepalive = n(d.keepalive);
  if (keepalive !== undefined) out.keepalive = keepalive;
  if (v5) {
    const expiry = n(d.sessionExpiry);
    const receive = n(d.receiveMaximum);
    const packet = n(d.maximumPacketSize);
    if (expiry !== undefined) out.sessionExpiryInterval = expiry;
    if (receive !== undefined) out.receiveMaximum = receive;
    if (packet !== undefined) out.maximumPacketSize = packet;
  }
  if (d.willTopic.trim()) out.will = { topic: d.willTopic.trim(), payload: d.willPayload, qos: d.willQos, retain: d.willRetain };
  return out;
}

/** A number field that is not a whole number in range: what to type instead. */
export function sessionProblem(d: SessionDraft): string | null {
  const check = (t: string, label: string, min: number, max: number) =>
    t.trim() !== '' && (!/^\d+$/.test(t.trim()) || Number(t) < min || Number(t) > max) ? `${label}: a whole number from ${min} to ${max}` : null;
  return (
    check(d.keepalive, 'Keepalive', 0, 65535) ??
    check(d.sessionExpiry, 'Session expiry', 0, 4294967295) ??
    check(d.receiveMaximum, 'Receive maximum', 1, 65535) ??
    check(d.maximumPacketSize, 'Maximum packet size', 1, 268435455) ??
    (/[+#]/.test(d.willTopic) ? 'The last will topic cannot contain + or #' : null)
  );
}

export function draftFrom(p?: ProfileDTO, keychain = true): ProfileDraft {
  return {
    ...(p ? { id: p.id } : {}),
    name: p?.name ?? '',
    kind: p?.kind ?? 'mqtt',
    credentialType: p?.credentialType ?? 'channelToken',
    port: p?.port === 1883 ? 1883 : 8883,
    apiKey: p?.apiKey ?? '',
    url: p?.url ?? 'mqtt://127.0.0.1:1883',
    username: p?.username ?? '',
    usernameIsSecret: p?.usernameIsSecret ?? false,
    usernameStored: p?.usernameStored ?? false,
    forgetUsername: false,
    clientId: p?.clientId ?? '',
    protocolVersion: p?.protocolVersion ?? 4,
    caFile: p?.caFile ?? '',
    certFile: p?.certFile ?? '',
    keyFile: p?.keyFile ?? '',
    verifyTls: p?.verifyTls ?? true,
    // a new generic profile listens to everything; Beebotte needs its channel named (channel/#)
    subscriptions: (p?.subscriptions ?? ['#']).join('\n'),
    autoConnect: p?.autoConnect ?? false,
    secretMode: p?.secretMode ?? (keychain ? 'keychain' : 'ask'),
    secret: '',
    clearSecret: false,
    hasSecret: p?.hasSecret ?? false,
    session: sessionDraft(p),
  };
}

export function toInput(d: ProfileDraft): ProfileInput {
  const subscriptions = d.subscriptions
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
  const input: ProfileInput = {
    ...(d.id ? { id: d.id } : {}),
    name: d.name.trim(),
    kind: d.kind,
    subscriptions,
    autoConnect: d.autoConnect,
    secretMode: d.secretMode,
    clientId: d.clientId.trim(),
  };
  if (d.kind === 'mqtt') {
    Object.assign(input, {
      url: d.url.trim(),
      tls: /^(mqtts|wss|ssl):/i.test(d.url.trim()),
      // blank keeps a username stored as a secret; a new one replaces it
      username: d.username.trim(),
      protocolVersion: d.protocolVersion,
      caFile: d.caFile.trim(),
      certFile: d.certFile.trim(),
      keyFile: d.keyFile.trim(),
      verifyTls: d.verifyTls,
      ...sessionInput(d.session, d.protocolVersion === 5),
    });
  } else {
    Object.assign(input, { credentialType: d.credentialType, apiKey: d.apiKey.trim() });
    if (d.kind === 'beebotte') input.port = d.port;
  }
  if (d.kind === 'mqtt' && d.usernameIsSecret && d.forgetUsername && !d.username.trim()) input.forgetUsername = true;
  if (d.secret) input.secret = d.secret;
  else if (d.clearSecret) input.secret = '';
  return input;
}

/** What the secret field is called for this kind and credential. */
export function secretLabel(d: ProfileDraft): string {
  if (d.kind === 'mqtt') return 'Password';
  return { channelToken: 'Channel token', iamToken: 'IAM token', secretKey: 'Secret key' }[d.credentialType];
}

/** A check that stopped a save, and the field it belongs to (the form shows it there and focuses it). */
export interface DraftProblem {
  field: 'name' | 'url' | 'apiKey' | 'session';
  text: string;
}

/** Checks before the core's, so the user sees them next to the field without a round trip. */
export function draftProblem(d: ProfileDraft): DraftProblem | null {
  if (!d.name.trim()) return { field: 'name', text: 'Give the profile a name.' };
  if (d.kind === 'mqtt' && !/^(mqtts?|wss?|tcp|ssl):\/\/[^\s/]+/i.test(d.url.trim())) {
    return { field: 'url', text: 'The broker URL looks like mqtt://host:1883 or mqtts://host:8883.' };
  }
  if (d.kind === 'mqtt') {
    const session = sessionProblem(d.session);
    if (session) return { field: 'session', text: session };
  }
  if (d.kind !== 'mqtt' && d.credentialType === 'secretKey' && !d.apiKey.trim()) {
    return { field: 'apiKey', text: 'With a secret key, add the API key too (it signs REST calls).' };
  }
  return null;
}

/**
 * A Beebotte token as a generic MQTT username (profiles/profile.ts carriesBeebotteToken): a secret, which the
 * core keeps in the vault like the password — the form says so.
 */
export function looksLikeBeebotteToken(username: string): boolean {
  return /^(token_|token:|iamtkn_)/.test(username.trim());
}
