/**
 * MQTT 5 against Mosquitto, through the core's contract: every property round-trips both ways (stored, shown,
 * filtered, exported), request/response is matched, QoS 2 is delivered once, live subscriptions change what
 * arrives, clearing retained messages leaves none, and Beebotte/sandbox profiles refuse MQTT 5 and QoS 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type {
  ClearRetainedResult,
  EventPayloads,
  FullMessageDTO,
  MessageDTO,
  ProfileDTO,
  SubscriptionDTO,
} from '../../electron/api.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let t: TestCore;
let broker: Mosquitto;
let outside: MqttClient;
let profile: ProfileDTO;
const batches: MessageDTO[] = [];
const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;

beforeAll(async () => {
  broker = await startMosquitto();
  t = await startTestCore();
  t.core.bus.subscribe((event, data) => {
    if (event === 'messages.batch') batches.push(...(data as EventPayloads['messages.batch']).messages);
  });
  outside = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'outside-v5' });
  profile = await call<ProfileDTO>('profiles.save', {
    name: 'mosquitto v5',
    kind: 'mqtt',
    url: broker.url,
    protocolVersion: 5,
    keepalive: 20,
    sessionExpiryInterval: 60,
    receiveMaximum: 50,
    maximumPacketSize: 1024 * 1024,
    subscriptions: ['p5/#', 'reply/#'],
  });
  await call('sessions.connect', { profileId: profile.id });
  await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'v5 session connected');
  await waitFor(
    async () => (await call<SubscriptionDTO[]>('sessions.subscriptions', { profileId: profile.id })).length === 2,
    'subscribed',
  );
});

afterAll(async () => {
  await outside?.endAsync().catch(() => undefined);
  await t?.close();
  await broker?.stop();
});

const arrived = (topic: string) => waitFor(() => batches.find((m) => m.topic === topic), `a message on ${topic}`);

describe('MQTT 5 properties', () => {
  it('every property of an incoming message is stored, shown in the detail, filterable and exported', async () => {
    await outside.publishAsync('p5/in', Buffer.from('{"v":1}'), {
      qos: 1,
      properties: {
        userProperties: { site: 'north', tag: ['a', 'b'] },
        contentType: 'application/json',
        payloadFormatIndicator: true,
        responseTopic: 'p5/answer',
        correlationData: Buffer.from('req-1'),
        messageExpiryInterval: 300,
      },
    });
    await outside.publishAsync('p5/plain', Buffer.from('no properties'), { qos: 1 });
    const live = await arrived('p5/in');
    expect(live.props?.userProperties).toEqual([
      ['site', 'north'],
      ['tag', 'a'],
      ['tag', 'b'],
    ]);
    const plain = await arrived('p5/plain');
    expect(plain.props?.userProperties).toBeUndefined();

    const full = await call<FullMessageDTO>('messages.get', { id: live.id });
    expect(full.props).toMatchObject({
      contentType: 'application/json',
      payloadFormatIndicator: true,
      responseTopic: 'p5/answer',
      correlationData: Buffer.from('req-1').toString('hex'),
      correlationText: 'req-1',
    });
    // the broker counts the expiry down: at most what was sent
    expect(full.props?.messageExpiryInterval).toBeGreaterThan(0);
    expect(full.props?.messageExpiryInterval).toBeLessThanOrEqual(300);

    const byKey = await call<MessageDTO[]>('messages.query', { profileId: profile.id, userProperty: 'site' });
    expect(byKey.map((m) => m.topic)).toEqual(['p5/in']);
    const byPair = await call<MessageDTO[]>('messages.query', { profileId: profile.id, userProperty: 'tag=b' });
    expect(byPair.map((m) => m.topic)).toEqual(['p5/in']);
    expect(await call<MessageDTO[]>('messages.query', { profileId: profile.id, userProperty: 'site=south' })).toEqual([]);
    const byType = await call<MessageDTO[]>('messages.query', { profileId: profile.id, contentType: 'application/json' });
    expect(byType.map((m) => m.topic)).toEqual(['p5/in']);

    const { exportId } = await call<{ exportId: string }>('messages.export', {
      query: { profileId: profile.id, userProperty: 'site=north' },
      format: 'ndjson',
    });
    expect(exportId).toBeTruthy();
    const written = await waitFor(() => findExport(t.dataDir, `${exportId}.ndjson`), 'the export file');
    const lines = fs
      .readFileSync(written, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.properties).toMatchObject({
      userProperties: [
        ['site', 'north'],
        ['tag', 'a'],
        ['tag', 'b'],
      ],
      contentType: 'application/json',
    });
  });

  it('a publish carries every property to another MQTT 5 client, at QoS 2, delivered once', async () => {
    const got: IPublishPacket[] = [];
    const onMessage = (_t: string, _p: Buffer, packet: IPublishPacket) => {
      if (packet.topic === 'p5/out') got.push(packet);
    };
    outside.on('message', onMessage);
    await outside.subscribeAsync('p5/out', { qos: 2 });
    const result = await call<{ status: string }>('messages.publish', {
      profileId: profile.id,
      topic: 'p5/out',
      data: 'hello v5',
      raw: true,
      qos: 2,
      properties: {
        userProperties: [
          ['k', 'v'],
          ['k', 'w'],
        ],
        contentType: 'text/plain',
        payloadFormatIndicator: true,
        responseTopic: 'reply/here',
        correlationData: 'corr-42',
        messageExpiryInterval: 120,
      },
    });
    expect(result.status).toBe('sent');
    const packet = await waitFor(() => got[0], 'the publish at the outside client');
    expect(packet.qos).toBe(2);
    expect(packet.payload.toString()).toBe('hello v5');
    expect(packet.properties?.userProperties).toEqual({ k: ['v', 'w'] });
    expect(packet.properties?.contentType).toBe('text/plain');
    expect(packet.properties?.payloadFormatIndicator).toBe(true);
    expect(packet.properties?.responseTopic).toBe('reply/here');
    expect(Buffer.from(packet.properties!.correlationData!).toString()).toBe('corr-42');
    expect(packet.properties?.messageExpiryInterval).toBeGreaterThan(0);
    // no duplicate: one more message behind it proves the stream moved on
    await call('messages.publish', { profileId: profile.id, topic: 'p5/out', data: 'second', raw: true, qos: 2 });
    await waitFor(() => got.length >= 2, 'the second publish');
    await new Promise((r) => setTimeout(r, 300));
    expect(got.map((p) => p.payload.toString())).toEqual(['hello v5', 'second']);
    outside.off('message', onMessage);
    await outside.unsubscribeAsync('p5/out');
  });

  it('request/response: the reply with the same correlation data is matched to the request', async () => {
    const responder = (_t: string, payload: Buffer, packet: IPublishPacket) => {
      if (packet.topic !== 'p5/request' || !packet.properties?.responseTopic) return;
      void outside.publishAsync(packet.properties.responseTopic, Buffer.from(`answer to ${payload.toString()}`), {
        qos: 1,
        properties: { correlationData: packet.properties.correlationData! },
      });
    };
    outside.on('message', responder);
    await outside.subscribeAsync('p5/request', { qos: 1 });
    await call('messages.publish', {
      profileId: profile.id,
      topic: 'p5/request',
      data: 'ping',
      raw: true,
      qos: 1,
      properties: { responseTopic: 'reply/one', correlationData: 'req-777' },
    });
    const reply = await arrived('reply/one');
    expect(reply.preview).toBe('answer to ping');
    expect(reply.props?.correlationText).toBe('req-777');
    expect(reply.reply).toMatchObject({ requestTopic: 'p5/request' });
    outside.off('message', responder);
  });

  it('Beebotte and sandbox profiles refuse MQTT 5 and QoS 2 with the reason', async () => {
    await expect(
      call('profiles.save', { name: 'bb v5', kind: 'beebotte', protocolVersion: 5, secret: 'token_x' }),
    ).rejects.toThrow(/MQTT 3\.1\.1 only/);
    await expect(call('profiles.save', { name: 'sbx opts', kind: 'sandbox', sessionExpiryInterval: 10 })).rejects.toThrow(
      /generic MQTT profiles/,
    );
    await expect(call('messages.publish', { profileId: 'sandbox', topic: 'demo/x', data: '1', qos: 2 })).rejects.toThrow(
      /QoS 0 and 1 only/,
    );
    await expect(
      call('messages.publish', { profileId: 'sandbox', topic: 'demo/x', data: '1', qos: 1, properties: { contentType: 'a/b' } }),
    ).rejects.toThrow(/MQTT 3\.1\.1/);
  });
});

describe('session options', () => {
  it('the last will, with its properties, is published when the connection ends without a DISCONNECT', async () => {
    const wills: IPublishPacket[] = [];
    const onWill = (_t: string, _p: Buffer, packet: IPublishPacket) => {
      if (packet.topic === 'will/desk') wills.push(packet);
    };
    outside.on('message', onWill);
    await outside.subscribeAsync('will/desk', { qos: 1 });
    const willing = await call<ProfileDTO>('profiles.save', {
      name: 'with a will',
      kind: 'mqtt',
      url: broker.url,
      protocolVersion: 5,
      clientId: 'apiary-will-test',
      keepalive: 10,
      will: {
        topic: 'will/desk',
        payload: 'offline',
        qos: 1,
        retain: false,
        properties: { contentType: 'text/plain', userProperties: [['why', 'lost']] },
      },
      subscriptions: [],
    });
    expect(willing.will).toMatchObject({ topic: 'will/desk', qos: 1 });
    await call('sessions.connect', { profileId: willing.id });
    await waitFor(() => t.core.services.sessions.state(willing.id).status === 'connected', 'the will profile connected');
    // another client takes the client id over: the broker closes our connection without a DISCONNECT from us
    const usurper = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'apiary-will-test' });
    const will = await waitFor(() => wills[0], 'the will');
    expect(will.payload.toString()).toBe('offline');
    expect(will.properties?.contentType).toBe('text/plain');
    expect(will.properties?.userProperties).toEqual({ why: 'lost' });
    await call('sessions.disconnect', { profileId: willing.id });
    await usurper.endAsync().catch(() => undefined);
    outside.off('message', onWill);
  });

  it('a form that sends the whole set clears an option left blank; a partial edit keeps it', async () => {
    const saved = await call<ProfileDTO>('profiles.save', {
      name: 'opts',
      kind: 'mqtt',
      url: broker.url,
      protocolVersion: 5,
      keepalive: 15,
      receiveMaximum: 10,
    });
    const partial = await call<ProfileDTO>('profiles.save', { id: saved.id, name: 'opts', kind: 'mqtt', url: broker.url });
    expect(partial).toMatchObject({ keepalive: 15, receiveMaximum: 10 });
    const whole = await call<ProfileDTO>('profiles.save', {
      id: saved.id,
      name: 'opts',
      kind: 'mqtt',
      url: broker.url,
      cleanStart: true,
      keepalive: 20,
    });
    expect(whole.keepalive).toBe(20);
    expect(whole.receiveMaximum).toBeUndefined();
    await expect(
      call('profiles.save', { id: saved.id, name: 'opts', kind: 'mqtt', url: broker.url, protocolVersion: 4, receiveMaximum: 5 }),
    ).rejects.toThrow(/need MQTT 5/);
  });
});

describe('live subscriptions', () => {
  it('adding, pausing and removing a filter on the running session changes what arrives, and the profile keeps it', async () => {
    const seen = (topic: string, text: string) => batches.some((m) => m.topic === topic && m.preview === text);
    await outside.publishAsync('live/a', Buffer.from('before'), { qos: 1 });
    const added = await call<SubscriptionDTO[]>('sessions.subscribe', {
      profileId: profile.id,
      filter: 'live/#',
      qos: 2,
      noLocal: true,
      colour: '#cc3366',
    });
    expect(added.find((s) => s.filter === 'live/#')).toMatchObject({ qos: 2, noLocal: true, colour: '#cc3366' });
    await outside.publishAsync('live/a', Buffer.from('after add'), { qos: 1 });
    await waitFor(() => seen('live/a', 'after add'), 'a message on the added filter');
    expect(seen('live/a', 'before')).toBe(false);
    const saved = (await call<ProfileDTO[]>('profiles.list', {})).find((p) => p.id === profile.id)!;
    expect(saved.subscriptions).toContain('live/#');
    expect(saved.subscriptionOptions?.['live/#']).toMatchObject({ qos: 2, noLocal: true, colour: '#cc3366' });

    // no local: our own publish on the filter does not come back
    await call('messages.publish', { profileId: profile.id, topic: 'live/own', data: 'mine', raw: true, qos: 1 });
    await call<SubscriptionDTO[]>('sessions.pause', { profileId: profile.id, filter: 'live/#', paused: true });
    await outside.publishAsync('live/a', Buffer.from('while paused'), { qos: 1 });
    await outside.publishAsync('p5/marker', Buffer.from('m1'), { qos: 1 });
    await waitFor(() => seen('p5/marker', 'm1'), 'the marker after the pause');
    expect(seen('live/a', 'while paused')).toBe(false);
    expect(batches.some((m) => m.topic === 'live/own')).toBe(false);

    await call('sessions.pause', { profileId: profile.id, filter: 'live/#', paused: false });
    await outside.publishAsync('live/a', Buffer.from('resumed'), { qos: 1 });
    await waitFor(() => seen('live/a', 'resumed'), 'a message after resume');

    const left = await call<SubscriptionDTO[]>('sessions.unsubscribe', { profileId: profile.id, filter: 'live/#' });
    expect(left.map((s) => s.filter)).not.toContain('live/#');
    await outside.publishAsync('live/a', Buffer.from('after remove'), { qos: 1 });
    await outside.publishAsync('p5/marker', Buffer.from('m2'), { qos: 1 });
    await waitFor(() => seen('p5/marker', 'm2'), 'the marker after the removal');
    expect(seen('live/a', 'after remove')).toBe(false);
    const after = (await call<ProfileDTO[]>('profiles.list', {})).find((p) => p.id === profile.id)!;
    expect(after.subscriptions).not.toContain('live/#');
  });
});

describe('retained messages', () => {
  it('clear retained counts first, then leaves nothing retained under the filter (and the rest alone)', async () => {
    for (const topic of ['ret/a', 'ret/b/c', 'ret/b/d'])
      await outside.publishAsync(topic, Buffer.from(`kept ${topic}`), { qos: 1, retain: true });
    await outside.publishAsync('other/x', Buffer.from('stays'), { qos: 1, retain: true });
    const counted = await call<ClearRetainedResult>('retained.clear', { profileId: profile.id, filter: 'ret/#' });
    expect(counted).toMatchObject({ found: ['ret/a', 'ret/b/c', 'ret/b/d'], cleared: 0 });

    const subtree = await call<ClearRetainedResult>('retained.clear', {
      profileId: profile.id,
      filter: 'ret/b/#',
      confirm: true,
    });
    expect(subtree).toMatchObject({ found: ['ret/b/c', 'ret/b/d'], cleared: 2, remaining: [] });
    const topic = await call<ClearRetainedResult>('retained.clear', { profileId: profile.id, filter: 'ret/a', confirm: true });
    expect(topic).toMatchObject({ cleared: 1, remaining: [] });

    // an independent subscriber sees nothing retained under ret/#, and other/x still retained
    const check = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'retained-check' });
    const retained: string[] = [];
    check.on('message', (topicName, payload, packet) => {
      if (packet.retain && payload.length) retained.push(topicName);
    });
    await check.subscribeAsync(['ret/#', 'other/#'], { qos: 1 });
    await waitFor(() => retained.includes('other/x'), 'the retained message outside the filter');
    await new Promise((r) => setTimeout(r, 300));
    expect(retained).toEqual(['other/x']);
    await check.endAsync();
  });

  it('a retained message arrives marked retained in the log', async () => {
    await outside.publishAsync('p5/retained', Buffer.from('r'), { qos: 1, retain: true });
    await call('sessions.subscribe', { profileId: profile.id, filter: 'p5/retained', qos: 1 });
    const marked = await waitFor(() => batches.find((m) => m.topic === 'p5/retained' && m.retain), 'the retained copy');
    expect(marked.retain).toBe(true);
    const only = await call<MessageDTO[]>('messages.query', { profileId: profile.id, retained: true });
    expect(only.length).toBeGreaterThan(0);
    expect(only.every((m) => m.retain)).toBe(true);
  });
});

function findExport(dir: string, suffix: string): string | null {
  const found = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith(suffix));
  return found ? path.join(dir, found) : null;
}
