/**
 * `apiary pub` / `apiary sub` MQTT 5 flags and `apiary retained clear` against Mosquitto: properties both ways,
 * QoS 2, the retain flag in `sub --json`, and the Beebotte refusals before anything is sent.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { CommandIo } from '../../electron/commands/cli-io.js';
import { runPubCommand } from '../../electron/commands/pub.js';
import { runRetainedCommand } from '../../electron/commands/retained.js';
import { runSubCommand } from '../../electron/commands/sub.js';
import { waitFor } from '../tools/core-fixture.js';
import { startMosquitto, type Mosquitto } from '../tools/mosquitto.js';

let broker: Mosquitto;
let outside: MqttClient;

function capture() {
  const out = { stdout: '', stderr: '' };
  const io: Partial<CommandIo> = {
    stdout: { write: (text: string) => void (out.stdout += text) },
    stderr: { write: (text: string) => void (out.stderr += text) },
    stdin: Readable.from([]),
    env: {},
  };
  return { io, out };
}

beforeAll(async () => {
  broker = await startMosquitto();
  outside = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: 'cli-outside' });
});
afterAll(async () => {
  await outside?.endAsync().catch(() => undefined);
  await broker?.stop();
});

describe('apiary pub/sub with MQTT 5', () => {
  it('pub sends every property at QoS 2, retained, and another client reads them', async () => {
    const got: IPublishPacket[] = [];
    outside.on('message', (_t, _p, packet) => {
      if (packet.topic === 'cli/out') got.push(packet);
    });
    await outside.subscribeAsync('cli/out', { qos: 2 });
    const pub = capture();
    const args = ['cli/out', 'hi', '--broker', broker.url, '--mqtt-version', '5', '--qos', '2', '--retain'];
    args.push('--user-property', 'a=1', '--user-property', 'a=2', '--user-property', 'b=x=y');
    args.push(
      '--content-type',
      'text/plain',
      '--response-topic',
      'cli/reply',
      '--correlation-data',
      'c-9',
      '--message-expiry',
      '60',
    );
    expect(await runPubCommand([...args, '--json'], pub.io)).toBe(0);
    expect(JSON.parse(pub.out.stdout)).toMatchObject({ topic: 'cli/out', qos: 2, retain: true });
    const packet = await waitFor(() => got[0], 'the publish');
    expect(packet.qos).toBe(2);
    expect(packet.properties?.userProperties).toEqual({ a: ['1', '2'], b: 'x=y' });
    expect(packet.properties?.contentType).toBe('text/plain');
    expect(packet.properties?.responseTopic).toBe('cli/reply');
    expect(Buffer.from(packet.properties!.correlationData!).toString()).toBe('c-9');
    expect(packet.properties?.messageExpiryInterval).toBeGreaterThan(0);
  });

  it('sub --json prints the properties and the retain flag', async () => {
    // the message above is retained on cli/out: a new subscriber gets it, marked retained
    const sub = capture();
    const code = await runSubCommand(
      ['cli/out', '--broker', broker.url, '--mqtt-version', '5', '--qos', '2', '--count', '1', '--timeout', '5', '--json'],
      sub.io,
    );
    expect(code).toBe(0);
    const line = JSON.parse(sub.out.stdout.trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      topic: 'cli/out',
      retain: true,
      payload: 'hi',
      properties: {
        userProperties: [
          ['a', '1'],
          ['a', '2'],
          ['b', 'x=y'],
        ],
        contentType: 'text/plain',
        responseTopic: 'cli/reply',
        correlationText: 'c-9',
      },
    });
  });

  it('properties without MQTT 5, and MQTT 5 or QoS 2 on Beebotte, are refused before connecting', async () => {
    const v4 = capture();
    expect(await runPubCommand(['a/b', '1', '--broker', broker.url, '--content-type', 'x/y'], v4.io)).toBe(2);
    expect(v4.out.stderr).toMatch(/need --mqtt-version 5/);
    const bb = capture();
    expect(await runPubCommand(['ch/res', '1', '--token', 'token_abc', '--mqtt-version', '5'], bb.io)).toBe(2);
    expect(bb.out.stderr).toMatch(/Beebotte speaks MQTT 3\.1\.1/);
    const bb2 = capture();
    expect(await runPubCommand(['ch/res', '1', '--token', 'token_abc', '--qos', '2'], bb2.io)).toBe(2);
    expect(bb2.out.stderr).toMatch(/QoS 0 and 1 only/);
    const prop = capture();
    expect(
      await runPubCommand(['a/b', '1', '--broker', broker.url, '--mqtt-version', '5', '--user-property', 'novalue'], prop.io),
    ).toBe(2);
    expect(prop.out.stderr).toMatch(/KEY=VALUE/);
  });
});

describe('apiary retained clear', () => {
  it('lists, clears a subtree and reports how many; nothing stays retained under it', async () => {
    for (const topic of ['rc/a', 'rc/b/c']) await outside.publishAsync(topic, Buffer.from('x'), { qos: 1, retain: true });
    await outside.publishAsync('rcx/keep', Buffer.from('x'), { qos: 1, retain: true });
    const dry = capture();
    expect(await runRetainedCommand(['clear', 'rc/#', '--broker', broker.url, '--dry-run', '--json'], dry.io)).toBe(0);
    expect(JSON.parse(dry.out.stdout)).toMatchObject({ found: ['rc/a', 'rc/b/c'], cleared: 0 });
    const clear = capture();
    expect(await runRetainedCommand(['clear', 'rc/#', '--broker', broker.url], clear.io)).toBe(0);
    expect(clear.out.stdout).toBe('cleared 2 retained message(s) under rc/#\n');
    const again = capture();
    expect(await runRetainedCommand(['clear', 'rc/#', '--broker', broker.url, '--dry-run', '--json'], again.io)).toBe(0);
    expect(JSON.parse(again.out.stdout)).toMatchObject({ found: [] });
    const other = capture();
    expect(await runRetainedCommand(['clear', 'rcx/#', '--broker', broker.url, '--dry-run', '--json'], other.io)).toBe(0);
    expect(JSON.parse(other.out.stdout)).toMatchObject({ found: ['rcx/keep'] });
    const bad = capture();
    expect(await runRetainedCommand(['clear', 'a/#/b', '--broker', broker.url], bad.io)).toBe(2);
  });
});
