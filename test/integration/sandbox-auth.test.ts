/** Sandbox MQTT: authentication forms, rights, account isolation, QoS, TLS — with mqtt.js and mosquitto clients. */
import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALICE_GARAGE_TOKEN,
  ALICE_HOME_TOKEN,
  ALICE_IAM_TOKEN,
  BOB,
  BOB_HOME_TOKEN,
  LEGACY_TOKEN,
  type TestSandbox,
  closedByServer,
  collect,
  connackCode,
  connectMqtt,
  endClient,
  nextMessage,
  portOf,
  publish,
  run,
  startTestSandbox,
  subscribe,
} from '../tools/sandbox-fixtures.js';

let t: TestSandbox;
const open: MqttClient[] = [];
async function client(username: string, options = {}): Promise<MqttClient> {
  const c = await connectMqtt(t.sandbox.urls.mqtt, username, options);
  open.push(c);
  return c;
}

beforeAll(async () => {
  t = await startTestSandbox();
});
afterAll(async () => {
  await Promise.all(open.map(endClient));
  await t.cleanup();
});

describe('authentication', () => {
  it('accepts every Beebotte username form with a blank password', async () => {
    const url = t.sandbox.urls.mqtt;
    expect(await connackCode(url, ALICE_HOME_TOKEN)).toBe(0);
    expect(await connackCode(url, `token:${ALICE_HOME_TOKEN}`)).toBe(0);
    expect(await connackCode(url, `token:${LEGACY_TOKEN}`)).toBe(0);
    expect(await connackCode(url, ALICE_IAM_TOKEN)).toBe(0);
    expect(await connackCode(url, ALICE.secretKey)).toBe(0);
  });

  it('accepts the username repeated as password, refuses any other password with CONNACK 5', async () => {
    const url = t.sandbox.urls.mqtt;
    expect(await connackCode(url, ALICE_HOME_TOKEN, ALICE_HOME_TOKEN)).toBe(0);
    expect(await connackCode(url, ALICE_HOME_TOKEN, 'something-else')).toBe(5);
    expect(await connackCode(url, ALICE.secretKey, 'x')).toBe(5);
  });

  it('refuses unknown credentials with CONNACK 5 and closes the connection', async () => {
    const url = t.sandbox.urls.mqtt;
    expect(await connackCode(url, 'token_doesNotExist0001')).toBe(5);
    expect(await connackCode(url, 'not-a-secret-key')).toBe(5);
    expect(await connackCode(url, 'iamtkn_unknown')).toBe(5);
    expect(await connackCode(url, `token:${LEGACY_TOKEN}x`)).toBe(5);
  });

  it('mosquitto_pub is refused with a bad token and accepted with a good one', async () => {
    const port = portOf(t.sandbox.urls.mqtt);
    const bad = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      'token_bad000000000000',
      '-t',
      'home/temp',
      '-m',
      '{"data":1}',
      '-V',
      'mqttv311',
    ]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.toLowerCase()).toMatch(/not authori[sz]ed|refused/);
    const good = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-u',
      ALICE_HOME_TOKEN,
      '-t',
      'home/temp',
      '-m',
      '{"data":1}',
      '-V',
      'mqttv311',
    ]);
    expect(good.code).toBe(0);
  });
});

describe('rights', () => {
  it('a channel token may subscribe to its channel only (SUBACK 0x80 elsewhere)', async () => {
    const c = await client(ALICE_HOME_TOKEN);
    expect(await subscribe(c, 'home/temp')).toEqual([0]);
    expect(await subscribe(c, 'home/#')).toEqual([0]);
    expect(await subscribe(c, 'garage/door')).toEqual([128]);
    expect(await subscribe(c, '#')).toEqual([128]);
    expect(await subscribe(c, '+/temp')).toEqual([128]);
    expect(await subscribe(c, 'signaling/#')).toEqual([128]);
  });

  it('an IAM token reaches the channels it lists', async () => {
    const c = await client(ALICE_IAM_TOKEN);
    expect(await subscribe(c, 'home/#')).toEqual([0]);
    expect(await subscribe(c, 'garage/#')).toEqual([128]);
  });

  it('a secret key reaches every channel of its account, wildcards included', async () => {
    const c = await client(ALICE.secretKey);
    expect(await subscribe(c, 'garage/door')).toEqual([0]);
    expect(await subscribe(c, '#')).toEqual([0]);
    expect(await subscribe(c, '+/+')).toEqual([0]);
  });

  it('a publish outside the token rights closes the connection', async () => {
    const c = await client(ALICE_HOME_TOKEN);
    const closed = closedByServer(c);
    c.publish('garage/door', '{"data":"open"}');
    await closed;
    expect(c.connected).toBe(false);
  });

  it('a publish by a secret key to any of its channels is accepted', async () => {
    const c = await client(ALICE.secretKey);
    await subscribe(c, 'garage/door');
    const got = nextMessage(c, (m) => m.topic === 'garage/door');
    await publish(c, 'garage/door', '{"data":"closed"}', 1);
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 'closed' });
  });
});

describe('isolation', () => {
  it('another account never sees messages, whatever the wildcard; the same account does', async () => {
    const bobAll = await client(BOB.secretKey);
    for (const filter of ['#', '+/+', 'home/#', 'home/temp']) expect(await subscribe(bobAll, filter)).toEqual([0]);
    const bobSeen = collect(bobAll);
    const aliceReader = await client(ALICE.secretKey);
    await subscribe(aliceReader, 'home/#');
    const aliceWriter = await client(ALICE_HOME_TOKEN);

    const aliceGot = nextMessage(aliceReader, (m) => m.topic === 'home/temp');
    await publish(aliceWriter, 'home/temp', '{"data":21}', 1);
    expect(JSON.parse((await aliceGot).payload.toString())).toMatchObject({ data: 21 });

    // a sentinel published by bob after alice's message: once it arrives, alice's would have too
    const bobWriter = await client(BOB_HOME_TOKEN);
    const sentinel = nextMessage(bobAll, (m) => m.topic === 'home/note');
    await publish(bobWriter, 'home/note', '{"data":"sentinel"}', 1);
    await sentinel;
    expect(bobSeen.map((m) => m.payload.toString()).some((p) => p.includes('21'))).toBe(false);
    expect(bobSeen.every((m) => m.topic === 'home/note')).toBe(true);
  });
});

describe('retained messages', () => {
  it('stay inside the account that published them', async () => {
    const pub = await client(ALICE_HOME_TOKEN);
    await new Promise<void>((resolve, reject) =>
      pub.publish('home/note', 'kept-for-alice', { qos: 1, retain: true }, (err) => (err ? reject(err) : resolve())),
    );
    const alice = await client(ALICE.secretKey);
    const got = nextMessage(alice, (m) => m.topic === 'home/note');
    await subscribe(alice, 'home/note');
    expect((await got).payload.toString()).toBe('kept-for-alice');
    const bob = await client(BOB.secretKey);
    const bobSeen = collect(bob);
    await subscribe(bob, '#');
    // bob's own retained sentinel arrives after any retained message his subscription could match
    const sentinel = nextMessage(bob, (m) => m.topic === 'home/temp');
    await publish(await client(BOB_HOME_TOKEN), 'home/temp', 'bob-sentinel', 1);
    await sentinel;
    expect(bobSeen.map((m) => m.payload.toString())).not.toContain('kept-for-alice');
  });
});

describe('QoS', () => {
  it('a QoS 2 subscription is granted QoS 1', async () => {
    const c = await client(ALICE.secretKey);
    expect(await subscribe(c, 'home/temp', 2)).toEqual([1]);
  });

  it('a QoS 2 publish is accepted (PUBREC/PUBCOMP) and delivered at QoS 1', async () => {
    const sub = await client(ALICE.secretKey);
    await subscribe(sub, 'home/note', 2);
    const pub = await client(ALICE_HOME_TOKEN);
    const got = nextMessage(sub, (m) => m.topic === 'home/note');
    await publish(pub, 'home/note', '{"data":"qos2"}', 2);
    const m = await got;
    expect(m.qos).toBe(1);
    expect(pub.connected).toBe(true);
  });
});

describe('TLS', () => {
  it('serves MQTT over TLS with a certificate the generated CA vouches for (mqtt.js and mosquitto)', async () => {
    const ca = readFileSync(t.sandbox.caPath);
    expect(ca.toString()).toContain('BEGIN CERTIFICATE');
    const c = await connectMqtt(t.sandbox.urls.mqtts!, ALICE.secretKey, {
      ca,
      rejectUnauthorized: true,
      servername: 'localhost',
    });
    open.push(c);
    await subscribe(c, 'garage/door');
    const got = nextMessage(c, (m) => m.topic === 'garage/door');
    const port = portOf(t.sandbox.urls.mqtts!);
    const pub = await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '--cafile',
      t.sandbox.caPath,
      '-u',
      ALICE_GARAGE_TOKEN,
      '-t',
      'garage/door',
      '-m',
      '{"data":"tls"}',
      '-V',
      'mqttv311',
    ]);
    expect(pub.stderr).toBe('');
    expect(pub.code).toBe(0);
    expect(JSON.parse((await got).payload.toString())).toMatchObject({ data: 'tls' });
  });

  it('a client that does not trust the CA cannot connect', async () => {
    await expect(connectMqtt(t.sandbox.urls.mqtts!, ALICE.secretKey, { rejectUnauthorized: true })).rejects.toThrow();
  });
});
