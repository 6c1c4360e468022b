/**
 * No secret leaks out of the main process. Profiles carry distinctive test secrets (a Mosquitto
 * password, a fake Beebotte token and secret key, sandbox credentials, Beebotte tokens typed as a generic
 * MQTT username); we connect, publish, fail on purpose, export — then scan everything Apiary wrote or said
 * for them (raw, base64, hex, UTF-16). Loopback only: Beebotte-cloud profiles are saved and listed but never
 * connected; the fake token and key fail against the sandbox instead, through the same credential code.
 * - every file under the data dir (profiles.json, apiary.db + -wal, exports…), EXCEPT `sandbox/`: the
 *   sandbox is a server, its own database must hold the tokens it checks (and its CA key);
 * - every log line; every event sent to the UI (the bus, what IPC and the WebSocket forward);
 * - every method result a UI can ask for (account.copyToken excepted: it hands a browser the token
 *   on purpose, once, to copy; Electron keeps it in the main process).
 * And the headless host: loopback only by default, its URL carries nothing but its own access token.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { ExportProgress, ProfileDTO } from '../../electron/api.js';
import { startHost, type HostHandle } from '../../electron/host.js';
import type { SecretStore } from '../../electron/core/platform.js';
import { usernameSlot } from '../../electron/core/vault/index.js';
import { rendererDir } from '../../electron/node-platform.js';
import { startTestCore, tempDir, waitFor, type TestCore } from '../tools/core-fixture.js';
import { freePort } from '../tools/mosquitto.js';
import { spawnMosquitto, type CustomMosquitto } from '../tools/fault-mosquitto.js';

const MQTT_USER = 'apiary-user';
const MQTT_PASSWORD = 'Pw-Apiary-Secret-7f3a9c1e';
const WRONG_PASSWORD = 'Pw-Wrong-Secret-0b8d2e44';
const BEEBOTTE_TOKEN = 'token_BeeFakeSecret0042x';
const BEEBOTTE_SECRET_KEY = 'SkFakeBeebotteSecretKey000000042';
// Beebotte tokens a user might type as a generic MQTT username (for a Beebotte-compatible server): secrets too
const TOKEN_USERNAMES = ['token_UsernameSecret000077', 'token:LegacyUsernameSecret0078', 'iamtkn_UsernameSecret0000079'];
// a profiles.json from an older version, with a token as a generic MQTT username
const LEGACY_FILE_TOKEN = 'token_WrittenByOldVersion0080';
const LEGACY_NO_KEYCHAIN = 'iamtkn_WrittenByOldVersionNoKeychain0081';

let broker: CustomMosquitto;
let brokerUrl: string;
let t: TestCore;
let host: HostHandle;
const said: string[] = []; // every event and every result, serialized as a transport would
let secrets: string[] = [];

beforeAll(async () => {
  const dir = tempDir('apiary-secrets-mosq-');
  const passwordFile = path.join(dir, 'passwd');
  execFileSync('mosquitto_passwd', ['-b', '-c', passwordFile, MQTT_USER, MQTT_PASSWORD], { stdio: 'ignore' });
  const port = await freePort();
  broker = await spawnMosquitto(dir, ['allow_anonymous false', `password_file ${passwordFile}`, 'persistence false', `listener ${port} 127.0.0.1`], [port]);
  brokerUrl = `mqtt://127.0.0.1:${port}`;
  t = await startTestCore({ demoSensor: true });
  t.core.bus.subscribe((event, data) => said.push(`${event} ${JSON.stringify(data)}`));
  const demo = t.core.services.sandbox!.demo!;
  secrets = [MQTT_PASSWORD, WRONG_PASSWORD, BEEBOTTE_TOKEN, BEEBOTTE_SECRET_KEY, ...TOKEN_USERNAMES, demo.token, demo.secretKey];
});
afterAll(async () => {
  await host?.close();
  await t?.close();
  await broker?.stop();
});

const call = async <T>(method: string, params: unknown): Promise<T> => {
  const result = (await t.core.call(method, params)) as T;
  said.push(`${method} → ${JSON.stringify(result)}`);
  return result;
};
const tryCall = (method: string, params: unknown) =>
  call(method, params).catch((err: Error) => {
    said.push(`${method} ✗ ${err.message}`);
  });
const stateOf = (id: string) => t.core.services.sessions.state(id);

/** The forms a secret could take on disk or on the wire. */
function forms(secret: string): Buffer[] {
  const raw = Buffer.from(secret, 'utf8');
  return [
    raw,
    Buffer.from(raw.toString('base64').replace(/=+$/, '')),
    Buffer.from(raw.toString('base64url')),
    Buffer.from(raw.toString('hex')),
    Buffer.from(secret, 'utf16le'),
    // the secret inside a longer base64 blob (e.g. user:password) shows up at a 3-byte offset only
    Buffer.from(Buffer.concat([Buffer.from(':'), raw]).toString('base64').slice(4, -4)),
  ];
}

function findSecrets(haystack: Buffer, where: string, needles: string[] = secrets): string[] {
  const found: string[] = [];
  for (const secret of needles) {
    for (const form of forms(secret)) {
      if (form.length >= 8 && haystack.includes(form)) found.push(`${where} holds ${secret.slice(0, 6)}… (${form.toString().slice(0, 12)}…)`);
    }
  }
  return found;
}

function filesUnder(dir: string, skip: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (full === skip) continue;
    if (entry.isDirectory()) out.push(...filesUnder(full, skip));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

describe('secrets never leave the main process', () => {
  it('uses every kind of credential: connect, publish, fail, export', async () => {
    const demo = t.core.services.sandbox!.demo!;
    const mqttProfile = await call<ProfileDTO>('profiles.save', {
      name: 'mosquitto with password',
      kind: 'mqtt',
      url: brokerUrl,
      username: MQTT_USER,
      secret: MQTT_PASSWORD,
      secretMode: 'keychain',
      subscriptions: ['secret-test/#'],
    });
    expect(mqttProfile.hasSecret).toBe(true);
    await call('sessions.connect', { profileId: mqttProfile.id });
    await waitFor(() => stateOf(mqttProfile.id).status === 'connected', 'password profile connected');
    const watcher = await mqtt.connectAsync(brokerUrl, { username: MQTT_USER, password: MQTT_PASSWORD });
    const got: string[] = [];
    watcher.on('message', (_t, p) => got.push(p.toString()));
    await watcher.subscribeAsync('secret-test/#', { qos: 1 });
    await call('messages.publish', { profileId: mqttProfile.id, topic: 'secret-test/a', data: '{"v": 1}', qos: 1 });
    await waitFor(() => got.length > 0, 'published with the password profile');
    await watcher.endAsync();

    // a wrong password: refused, and the error does not echo it
    const wrong = await call<ProfileDTO>('profiles.save', { name: 'wrong password', kind: 'mqtt', url: brokerUrl, username: MQTT_USER, secret: WRONG_PASSWORD });
    await call('sessions.connect', { profileId: wrong.id });
    const refused = await waitFor(() => (stateOf(wrong.id).status === 'failed' ? stateOf(wrong.id) : null), 'wrong password refused');
    expect(refused.error).toMatch(/credential rejected .*check the username and password/);

    // a Beebotte token as a generic MQTT username (a Beebotte-compatible server: here the embedded sandbox)
    // is a secret: kept in the vault like the password, never in a DTO; the sandbox refuses the fake ones
    // (CONNACK 5) without the error echoing them, and accepts the demo token given the same way
    const sandboxUrl = t.core.services.sandbox!.urls.mqtt;
    const tokenUsers: ProfileDTO[] = [];
    for (const [i, username] of TOKEN_USERNAMES.entries()) {
      const p = await call<ProfileDTO>('profiles.save', {
        name: `token as username ${i}`,
        kind: 'mqtt',
        url: sandboxUrl,
        username,
        secret: MQTT_PASSWORD,
        secretMode: i === 2 ? 'ask' : 'keychain',
        subscriptions: ['demo/#'],
      });
      expect(p).toMatchObject({ usernameIsSecret: true, usernameStored: true, hasSecret: true });
      expect(p.username).toBeUndefined();
      tokenUsers.push(p);
      await call('sessions.connect', { profileId: p.id });
    }
    await waitFor(
      () => tokenUsers.every((p) => stateOf(p.id).status === 'failed'),
      'fake token usernames refused by the sandbox',
    );
    for (const p of tokenUsers) expect(stateOf(p.id).error).toMatch(/credential rejected .*token given as the username/);
    const demoUser = await call<ProfileDTO>('profiles.save', {
      name: 'demo token as username',
      kind: 'mqtt',
      url: sandboxUrl,
      username: demo.token,
      subscriptions: ['demo/#'],
    });
    expect(demoUser).toMatchObject({ usernameIsSecret: true, usernameStored: true, hasSecret: false });
    // an edit that leaves the username blank keeps the stored one
    const edited = await call<ProfileDTO>('profiles.save', {
      id: demoUser.id,
      name: 'demo token as username',
      kind: 'mqtt',
      url: sandboxUrl,
      username: '',
      subscriptions: ['demo/#'],
    });
    expect(edited).toMatchObject({ usernameIsSecret: true, usernameStored: true });
    await call('sessions.connect', { profileId: demoUser.id });
    await waitFor(() => stateOf(demoUser.id).status === 'connected', 'the demo token as a generic username connects');
    await call('messages.publish', { profileId: demoUser.id, topic: 'demo/humidity', data: '43', qos: 1 });
    // removing the profile removes both of its vault entries
    const vault = t.core.services.vault;
    expect(await vault.read(usernameSlot(tokenUsers[0]!.id))).toBe(TOKEN_USERNAMES[0]);
    await call('profiles.remove', { id: tokenUsers[0]!.id });
    expect([await vault.read(usernameSlot(tokenUsers[0]!.id)), await vault.read(tokenUsers[0]!.id)]).toEqual([null, null]);
    // forgetUsername drops it (the profile connects without a username); a plain one is shown as it is
    const second = tokenUsers[1]!;
    const forgot = await call<ProfileDTO>('profiles.save', {
      id: second.id,
      name: second.name,
      kind: 'mqtt',
      url: sandboxUrl,
      forgetUsername: true,
    });
    expect(forgot.usernameIsSecret).toBeUndefined();
    expect(await vault.read(usernameSlot(second.id))).toBeNull();

    // Beebotte-cloud profiles with a fake token and a fake secret key: saved and listed, never connected
    // (tests stay on loopback); the same credentials fail against the sandbox just below
    const beeToken = await call<ProfileDTO>('profiles.save', { name: 'beebotte token', kind: 'beebotte', credentialType: 'channelToken', secret: BEEBOTTE_TOKEN });
    const beeKey = await call<ProfileDTO>('profiles.save', {
      name: 'beebotte keys',
      kind: 'beebotte',
      credentialType: 'secretKey',
      apiKey: 'PublicApiKey000000000001',
      secret: BEEBOTTE_SECRET_KEY,
    });
    for (const p of [beeToken, beeKey]) {
      expect(p.username).toBeUndefined(); // Beebotte puts the token in the MQTT username: never shown
      expect(p.hasSecret).toBe(true);
    }
    // the fake token and key, refused by the sandbox: MQTT CONNACK 5 and REST 401, through the same code
    const fakeToken = await call<ProfileDTO>('profiles.save', { name: 'fake token', kind: 'sandbox', credentialType: 'channelToken', secret: BEEBOTTE_TOKEN, subscriptions: ['demo/#'] });
    const fakeKey = await call<ProfileDTO>('profiles.save', {
      name: 'fake keys',
      kind: 'sandbox',
      credentialType: 'secretKey',
      apiKey: 'PublicApiKey000000000001',
      secret: BEEBOTTE_SECRET_KEY,
    });
    for (const p of [fakeToken, fakeKey]) await call('sessions.connect', { profileId: p.id });
    await waitFor(() => stateOf(fakeToken.id).status === 'failed' && stateOf(fakeKey.id).status === 'failed', 'fake credentials refused by the sandbox');
    expect(stateOf(fakeToken.id).error).toMatch(/credential rejected/);
    await tryCall('account.channels', { profileId: fakeKey.id });
    await tryCall('beebotte.read', { profileId: fakeToken.id, channel: 'demo', resource: 'temperature' });
    expect(said.filter((line) => /^(account\.channels|beebotte\.read) ✗ /.test(line))).toHaveLength(2);

    // sandbox-kind profiles: the demo token, and the account's secret key with its API key
    const sbxToken = await call<ProfileDTO>('profiles.save', { name: 'sandbox token', kind: 'sandbox', secret: demo.token, subscriptions: ['demo/#'] });
    const sbxKey = await call<ProfileDTO>('profiles.save', { name: 'sandbox keys', kind: 'sandbox', credentialType: 'secretKey', apiKey: demo.apiKey, secret: demo.secretKey, subscriptions: ['demo/#'] });
    for (const p of [sbxToken, sbxKey]) {
      await call('sessions.connect', { profileId: p.id });
      await waitFor(() => stateOf(p.id).status === 'connected', `${p.name} connected`);
      await call('messages.publish', { profileId: p.id, topic: 'demo/humidity', data: '42', qos: 1 });
    }
    await call('account.channels', { profileId: sbxKey.id });
    await call('account.createChannel', { profileId: sbxKey.id, channel: { name: 'secrets', resources: [{ name: 'probe' }] } });
    const created = t.core.services.sandbox!.accounts.getChannel('demo', 'secrets') as { token?: string } | null;
    if (created?.token) secrets.push(created.token); // a fresh channel token: must not leak either
    await call('beebotte.read', { profileId: sbxKey.id, channel: 'demo', resource: 'temperature' });
    await call('account.regenerateToken', { profileId: sbxKey.id, channel: 'secrets' });
    const regenerated = t.core.services.sandbox!.accounts.getChannel('demo', 'secrets') as { token?: string } | null;
    if (regenerated?.token) secrets.push(regenerated.token);

    // a saved template, an alert rule, and the exports
    await call('templates.save', { name: 'tpl', topic: 'demo/humidity', data: '1' });
    await call('alerts.saveRule', { rule: { name: 'any demo', topicFilter: 'demo/#', condition: { kind: 'any' }, cooldownSeconds: 0 } });
    await waitFor(() => said.some((s) => s.startsWith('alert.fired')), 'an alert fired');
    const finished: ExportProgress[] = [];
    const off = t.core.bus.subscribe((event, data) => {
      if (event === 'export.progress' && ((data as ExportProgress).finished || (data as ExportProgress).error)) finished.push(data as ExportProgress);
    });
    for (const format of ['csv', 'json', 'ndjson'] as const) await call('messages.export', { query: {}, format });
    await waitFor(() => finished.length >= 3, 'three exports finished', 20_000);
    off();
    expect(finished.every((f) => f.finished)).toBe(true);

    expect([stateOf(beeToken.id).status, stateOf(beeKey.id).status]).toEqual(['idle', 'idle']); // never dialled out

    // everything a UI can read
    for (const [method, params] of [
      ['app.info', {}],
      ['profiles.list', {}],
      ['sessions.list', {}],
      ['messages.query', { limit: 1000 }],
      ['explorer.topics', {}],
      ['templates.list', {}],
      ['composer.history', { limit: 200 }],
      ['alerts.rules', {}],
      ['alerts.history', { limit: 1000 }],
      ['tray.model', {}],
      ['devices.list', {}],
      ['settings.get', {}],
    ] as const) {
      await call(method, params);
    }
  }, 60_000);

  it('finds no secret in events, results or logs', () => {
    expect(said.length).toBeGreaterThan(50);
    const found = [...findSecrets(Buffer.from(said.join('\n')), 'events/results'), ...findSecrets(Buffer.from(t.logs.join('\n')), 'log')];
    expect(found).toEqual([]);
    // the control: what is not secret (the generic MQTT username) is found, so the scan can see
    expect(findSecrets(Buffer.from(said.join('\n')), 'events/results', [MQTT_USER]).length).toBeGreaterThan(0);
    expect(findSecrets(fs.readFileSync(path.join(t.dataDir, 'profiles.json')), 'profiles.json', [MQTT_USER]).length).toBeGreaterThan(0);
  });

  it('finds no secret in any file Apiary wrote (the sandbox server data excepted)', async () => {
    const sandboxDir = path.join(t.dataDir, 'sandbox');
    const scan = () => filesUnder(t.dataDir, sandboxDir).flatMap((file) => findSecrets(fs.readFileSync(file), path.relative(t.dataDir, file)));
    const files = filesUnder(t.dataDir, sandboxDir).map((f) => path.relative(t.dataDir, f));
    expect(files).toEqual(expect.arrayContaining(['profiles.json', 'apiary.db']));
    expect(files.some((f) => f.startsWith('exports/'))).toBe(true);
    expect(scan()).toEqual([]);
    // another local user cannot read any of it: the data dir is the owner's alone, profiles.json too
    expect(fs.statSync(t.dataDir).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(t.dataDir, 'profiles.json')).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(t.dataDir, 'exports')).mode & 0o077).toBe(0);
    // the control: the sandbox's own database does hold its tokens (so the scan can find them)
    const sandboxFiles = filesUnder(sandboxDir, '');
    expect(sandboxFiles.flatMap((f) => findSecrets(fs.readFileSync(f), f)).length).toBeGreaterThan(0);
    // and after a clean shutdown (WAL checkpointed into apiary.db)
    await t.close();
    expect(scan()).toEqual([]);
    // an older version left a Beebotte token as a generic MQTT username in profiles.json: at the next start it
    // moves into the keychain, and out of the file
    const file = path.join(t.dataDir, 'profiles.json');
    const addLegacy = (id: string, username: string) => {
      const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as { profiles: Record<string, unknown>[] };
      const template = stored.profiles.find((p) => p.kind === 'mqtt' && p.username === MQTT_USER)!;
      stored.profiles.push({ ...template, id, name: `legacy ${id}`, username });
      fs.writeFileSync(file, JSON.stringify(stored));
      expect(findSecrets(fs.readFileSync(file), 'profiles.json', [username]).length).toBeGreaterThan(0); // the scan sees it
    };
    addLegacy('legacy1', LEGACY_FILE_TOKEN);
    secrets.push(LEGACY_FILE_TOKEN);
    t = await startTestCore({ dataDir: t.dataDir, demoSensor: false });
    expect(scan()).toEqual([]);
    const legacy = (await call<ProfileDTO[]>('profiles.list', {})).find((p) => p.id === 'legacy1');
    expect(legacy).toMatchObject({ name: 'legacy legacy1', kind: 'mqtt', usernameIsSecret: true, usernameStored: true });
    expect(legacy?.username).toBeUndefined();
    expect(await t.core.services.vault.read(usernameSlot('legacy1'))).toBe(LEGACY_FILE_TOKEN);
    expect(t.logs.join('\n')).toMatch(
      /legacy legacy1: its username \(a Beebotte token\) moved from profiles.json to the keychain/,
    );
    expect(findSecrets(Buffer.from(t.logs.join('\n')), 'log')).toEqual([]);
    await t.close();

    // …and with no keychain it stays in the file (losing it would lock the user out), with a warning that never
    // carries the value; it is still never shown; the next start with a keychain moves it
    addLegacy('legacy2', LEGACY_NO_KEYCHAIN);
    const noKeychain: SecretStore = {
      status: async () => 'unavailable',
      get: async () => null,
      set: async () => {
        throw new Error(`no Secret Service (refusing ${LEGACY_NO_KEYCHAIN})`);
      },
      delete: async () => false,
    };
    t = await startTestCore({ dataDir: t.dataDir, demoSensor: false, secrets: noKeychain });
    expect(scan()).toEqual([]); // every other secret is still nowhere
    expect(fs.readFileSync(file, 'utf8')).toContain(LEGACY_NO_KEYCHAIN); // not lost
    const waiting = (await call<ProfileDTO[]>('profiles.list', {})).find((p) => p.id === 'legacy2');
    expect(waiting).toMatchObject({ usernameIsSecret: true, usernameStored: false });
    expect(waiting?.username).toBeUndefined();
    expect(t.logs.join('\n')).toMatch(
      /warn profile legacy legacy2: its username is a Beebotte token still in plain profiles.json: it moves to the keychain once the keychain opens/,
    );
    secrets.push(LEGACY_NO_KEYCHAIN);
    expect(findSecrets(Buffer.from(t.logs.join('\n')), 'log')).toEqual([]);
    await t.close();

    t = await startTestCore({ dataDir: t.dataDir, demoSensor: false });
    expect(scan()).toEqual([]);
    expect(await t.core.services.vault.read(usernameSlot('legacy2'))).toBe(LEGACY_NO_KEYCHAIN);
  });

  it('the headless host: loopback only by default, and its URL carries only its own access token', async () => {
    await expect(startHost({ core: t.core, rendererDir, host: '0.0.0.0' })).rejects.toThrow(/refusing to serve on 0\.0\.0\.0/);
    host = await startHost({ core: t.core, rendererDir });
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
    expect(findSecrets(Buffer.from(host.url), 'host URL')).toEqual([]);
    // not reachable on the machine's other addresses
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      const reached = await fetch(`http://${external.address}:${host.port}/`, { signal: AbortSignal.timeout(3000) }).then(
        () => true,
        () => false,
      );
      expect(reached).toBe(false);
    }
    // the token is traded for a cookie: the page it redirects to has no token in its address
    const res = await fetch(host.url, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('/');
    expect(findSecrets(Buffer.from(t.logs.join('\n')), 'log')).toEqual([]);
  });
});
