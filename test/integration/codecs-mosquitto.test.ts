/**
 * Codecs against Mosquitto, through the contract: a codec chosen for a topic filter is remembered, CBOR published
 * by another client arrives decoded in the live batch and the log, an alert rule on a decoded field fires, the
 * chart series reads the field from the store, and the desk's CBOR publish reaches a subscriber as CBOR.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import type {
  CodecRule,
  EventPayloads,
  FiredAlert,
  FullMessageDTO,
  MessageDTO,
  ProfileDTO,
  SeriesResult,
} from '../../electron/api.js';
import { startTestCore, waitFor, type TestCore } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let t: TestCore;
let broker: Mosquitto;
let outside: MqttClient;
let profile: ProfileDTO;
const batches: MessageDTO[] = [];
const fired: FiredAlert[] = [];
const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;

beforeAll(async () => {
  broker = await startMosquitto();
  t = await startTestCore({ embeddedSandbox: false });
  t.core.bus.subscribe((event, data) => {
    if (event === 'messages.batch') batches.push(...(data as EventPayloads['messages.batch']).messages);
    if (event === 'alert.fired') fired.push(data as FiredAlert);
  });
  outside = await mqtt.connectAsync(broker.url, { clientId: 'outside-codecs' });
  profile = await call<ProfileDTO>('profiles.save', {
    name: 'mosquitto',
    kind: 'mqtt',
    url: broker.url,
    subscriptions: ['lab/#'],
  });
  await call('sessions.connect', { profileId: profile.id });
  await waitFor(() => t.core.services.sessions.state(profile.id).status === 'connected', 'session connected');
});

afterAll(async () => {
  await outside?.endAsync().catch(() => undefined);
  await t?.close();
  await broker?.stop();
});

describe('a codec per topic filter', () => {
  it('is remembered, with the built-in Sparkplug B rule listed after it', async () => {
    const rules = await call<CodecRule[]>('codecs.save', { rules: [{ filter: 'lab/cbor/#', codec: 'cbor' }] });
    expect(rules).toEqual([
      { filter: 'lab/cbor/#', codec: 'cbor' },
      { filter: 'spBv1.0/#', codec: 'sparkplugb', builtIn: true },
    ]);
    expect(t.core.services.settings.get('codecs', [])).toEqual([{ filter: 'lab/cbor/#', codec: 'cbor' }]);
  });

  it('refuses a Protobuf rule without its .proto, and a bad filter, at the boundary', async () => {
    await expect(call('codecs.save', { rules: [{ filter: 'p/#', codec: 'protobuf' }] })).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(call('codecs.save', { rules: [{ filter: 'a/#/b', codec: 'cbor' }] })).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(
      call('codecs.save', { rules: [{ filter: 'p/#', codec: 'protobuf', protoFile: '/nonexistent.proto', messageType: 'a.B' }] }),
    ).rejects.toThrow(/no such file/);
    expect(await call<CodecRule[]>('codecs.list', {})).toHaveLength(2); // the failed saves changed nothing
  });

  it('CBOR from another client arrives decoded, an alert rule on a decoded field fires, the chart reads it', async () => {
    await call('alerts.saveRule', {
      rule: {
        name: 'hot',
        topicFilter: 'lab/cbor/#',
        condition: { kind: 'compare', path: 'v', op: '>', value: 30 },
        cooldownSeconds: 0,
      },
    });
    await outside.publishAsync('lab/cbor/t1', Buffer.from(cborEncode({ v: 24.96, unit: 'C' })), { qos: 1 });
    await outside.publishAsync('lab/cbor/t1', Buffer.from(cborEncode({ v: 31.5, unit: 'C' })), { qos: 1 });
    await outside.publishAsync('lab/plain', Buffer.from(cborEncode({ v: 99 })), { qos: 1 }); // no codec: binary

    const cbor = () => batches.filter((m) => m.topic === 'lab/cbor/t1');
    await waitFor(() => cbor().length === 2, 'two CBOR messages');
    const live = cbor();
    expect(live.map((m) => [m.kind, m.codec, m.preview])).toEqual([
      ['json', 'cbor', '{"v":24.96,"unit":"C"}'],
      ['json', 'cbor', '{"v":31.5,"unit":"C"}'],
    ]);
    const plain = await waitFor(() => batches.find((m) => m.topic === 'lab/plain'), 'the plain one');
    expect(plain.kind).toBe('binary');

    const alert = await waitFor(() => fired.find((a) => a.topic === 'lab/cbor/t1'), 'the alert on v > 30');
    expect(alert.body).toContain('31.5');
    expect(fired.filter((a) => a.topic === 'lab/cbor/t1')).toHaveLength(1); // 24.96 did not fire

    // read back from the store (the log after a restart, the topic history, the detail): decoded the same way
    const stored = await call<MessageDTO[]>('messages.history', { profileId: profile.id, topic: 'lab/cbor/t1' });
    expect(stored.map((m) => [m.kind, m.codec, m.preview])).toEqual([
      ['json', 'cbor', '{"v":31.5,"unit":"C"}'],
      ['json', 'cbor', '{"v":24.96,"unit":"C"}'],
    ]);
    const full = await call<FullMessageDTO>('messages.get', { id: stored[0]!.id });
    expect(JSON.parse(full.payload)).toEqual({ v: 31.5, unit: 'C' });
    const tested = await call<{ hits: unknown[] }>('alerts.testRule', {
      rule: { name: 'hot', topicFilter: 'lab/cbor/#', condition: { kind: 'compare', path: 'v', op: '>', value: 30 } },
    });
    expect(tested.hits).toHaveLength(1);

    const series = await call<SeriesResult>('messages.series', { profileId: profile.id, topic: 'lab/cbor/t1', since: 0 });
    expect(series.path).toBe('v');
    expect(series.points.map((p) => p[1])).toEqual([24.96, 31.5]);
    expect(series.fields).toEqual(['v']);
  });

  it('the stored series puts a Beebotte envelope at its ts, where the live chart draws it', async () => {
    const ts = Date.now() - 90_000; // a reading taken a minute and a half before it reached the broker
    await outside.publishAsync('lab/env', JSON.stringify({ data: 21.5, ts }), { qos: 1 });
    const live = await waitFor(() => batches.find((m) => m.topic === 'lab/env'), 'the envelope message');
    expect(live.envelope?.ts).toBe(ts);
    const series = await call<SeriesResult>('messages.series', { profileId: profile.id, topic: 'lab/env', since: 0 });
    expect(series.path).toBe('data');
    expect(series.points).toEqual([[ts, 21.5]]);
  });

  it('exports the decoded form next to the bytes', async () => {
    const progress: EventPayloads['export.progress'][] = [];
    const off = t.core.bus.subscribe(
      (event, data) => event === 'export.progress' && progress.push(data as EventPayloads['export.progress']),
    );
    const { exportId } = await call<{ exportId: string }>('messages.export', {
      query: { topicFilter: 'lab/cbor/#' },
      format: 'ndjson',
    });
    const done = await waitFor(() => progress.find((p) => p.exportId === exportId && p.finished), 'the export');
    off();
    const records = fs
      .readFileSync(done.finished!.file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; decoded?: unknown });
    expect(records.map((r) => [r.kind, r.decoded])).toEqual([
      ['binary', { v: 24.96, unit: 'C' }],
      ['binary', { v: 31.5, unit: 'C' }],
    ]);
  });

  it('publishes CBOR that another client decodes, and refuses bad hex with what to fix', async () => {
    const got = new Promise<Buffer>((resolve) =>
      outside.on('message', (topic, payload) => topic === 'out/cbor' && resolve(payload)),
    );
    await outside.subscribeAsync('out/cbor', { qos: 1 });
    await call('messages.publish', {
      profileId: profile.id,
      topic: 'out/cbor',
      data: '{"v":7,"ok":true}',
      encoding: 'cbor',
      raw: true,
    });
    expect(cborDecode(await got)).toEqual({ v: 7, ok: true });
    await expect(
      call('messages.publish', { profileId: profile.id, topic: 'out/hex', data: 'abc', encoding: 'hex' }),
    ).rejects.toThrow(/odd count/);
  });
});
