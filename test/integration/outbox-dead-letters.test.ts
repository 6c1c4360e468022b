/**
 * Nothing accepted is ever deleted (issue 19): a flapping link — a proxy that passes CONNECT/CONNACK, swallows
 * what Apiary sends and resets the connection 1 s later, three times — loses no queued QoS 1 message; a broker
 * that really closes the connection over one message (a `write` to a resource that does not exist) moves it to
 * the dead letters, where retry delivers it once the resource exists and discard deletes it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { DeadLetterDTO, EventPayloads, MessageDTO, ProfileDTO } from '../../electron/api.js';
import { runOutboxCommand } from '../../electron/commands/outbox.js';
import { captureIo } from '../tools/cli-io.js';
import { startTestCore, tempDir, waitFor, type TestCore } from '../tools/core-fixture.js';
import { freePort } from '../tools/mosquitto.js';

let t: TestCore;
let watcher: mqtt.MqttClient;
const seen: { topic: string; payload: string }[] = [];

beforeAll(async () => {
  t = await startTestCore({ demoSensor: false });
  // an independent subscriber on the sandbox itself: what really got through
  watcher = await mqtt.connectAsync(t.core.services.sandbox!.urls.mqtt, {
    username: `token:${demo().token}`,
    reconnectPeriod: 0,
  });
  await watcher.subscribeAsync('demo/#', { qos: 1 });
  watcher.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
});
afterAll(async () => {
  await watcher?.endAsync();
  await t?.close();
});

const call = <T>(method: string, params: unknown) => t.core.call(method, params) as Promise<T>;
const demo = () => t.core.services.sandbox!.demo!;
const stateOf = (profileId: string) => t.core.services.sessions.state(profileId);
const deadLettersOf = (profileId: string) => t.core.services.outbox.deadLetters.list(profileId);

/** Length of the first MQTT packet in buf, or 0 when it is not whole yet. */
function packetLength(buf: Buffer): number {
  let length = 0;
  for (let i = 1, shift = 0; i < 5 && i < buf.length; i++, shift += 7) {
    length += (buf[i]! & 0x7f) << shift;
    if ((buf[i]! & 0x80) === 0) return buf.length >= i + 1 + length ? i + 1 + length : 0;
  }
  return 0;
}

/**
 * A TCP proxy in front of the broker. Its first `flaps` connections pass the client's CONNECT and the broker's
 * CONNACK, swallow everything the client sends after that, and reset 1 s after the CONNACK; later ones are a
 * plain pipe.
 */
async function flappingProxy(upstreamPort: number, flaps: number) {
  const state = { connections: 0, flapped: 0, swallowedBytes: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    const flapping = state.connections++ < flaps;
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    if (!flapping) {
      client.pipe(upstream).pipe(client);
      return;
    }
    let pending = Buffer.alloc(0);
    let connectPassed = false;
    client.on('data', (chunk: Buffer) => {
      if (connectPassed) {
        state.swallowedBytes += chunk.length;
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      const n = packetLength(pending);
      if (!n) return;
      connectPassed = true;
      upstream.write(pending.subarray(0, n));
      state.swallowedBytes += pending.length - n;
    });
    let connackPassed = false;
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (connackPassed) return;
      connackPassed = true;
      setTimeout(() => {
        state.flapped++;
        client.resetAndDestroy();
        upstream.destroy();
      }, 1000);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    state,
    url: `mqtt://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the outbox on a flapping link', () => {
  it(
    'three connections that pass CONNACK, swallow what is sent and reset 1 s later lose no QoS 1 message',
    { timeout: 90_000 },
    async () => {
      const proxy = await flappingProxy(Number(new URL(t.core.services.sandbox!.urls.mqtt).port), 3);
      try {
        const profile = await call<ProfileDTO>('profiles.save', {
          name: 'flapping link',
          kind: 'mqtt',
          url: proxy.url,
          username: `token:${demo().token}`,
        });
        // queued while disconnected, so the first flapping connection carries them at once
        const sent: string[] = [];
        for (let n = 1; n <= 3; n++) {
          const data = JSON.stringify({ data: { flap: n } });
          const result = await call<{ status: string }>('messages.publish', {
            profileId: profile.id,
            topic: 'demo/humidity',
            data,
            qos: 1,
          });
          expect(result.status).toBe('queued');
          sent.push(data);
        }
        await call('sessions.connect', { profileId: profile.id });
        await waitFor(
          () => proxy.state.flapped >= 3 && stateOf(profile.id).outbox === 0,
          'the outbox delivered after the flaps',
          60_000,
        );
        // bounded wait for the three; the comparison below says what is missing
        await waitFor(
          () => seen.filter((m) => m.payload.includes('"flap"')).length >= 3,
          'all three at the broker',
          10_000,
        ).catch(() => null);
        expect(proxy.state.flapped).toBe(3);
        expect(proxy.state.swallowedBytes).toBeGreaterThan(0);
        expect(seen.filter((m) => m.payload.includes('"flap"')).map((m) => m.payload)).toEqual(sent);
        expect(deadLettersOf(profile.id)).toEqual([]);
        expect(stateOf(profile.id).error ?? '').not.toMatch(/closed the connection each time/);
        await call('sessions.disconnect', { profileId: profile.id });
      } finally {
        await proxy.close();
      }
    },
  );
});

describe('a message the broker closes the connection over, every time', () => {
  it(
    'lands in the dead letters with topic, size and why; the rest is delivered; retry delivers it once fixed',
    { timeout: 90_000 },
    async () => {
      const profile = await call<ProfileDTO>('profiles.save', {
        name: 'sbx refusal',
        kind: 'sandbox',
        secret: demo().token,
        secretMode: 'ask',
        subscriptions: ['demo/#'],
      });
      await call('sessions.connect', { profileId: profile.id });
      await waitFor(() => stateOf(profile.id).status === 'connected', 'connected');
      // write:true to a resource that does not exist: the sandbox, like Beebotte, closes the connection each time
      const refused = await call<{ status: string }>('messages.publish', {
        profileId: profile.id,
        topic: 'demo/later',
        data: '{"fix": 1}',
        write: true,
        qos: 1,
      });
      expect(refused.status).toBe('queued');
      const behind = ['behind-1', 'behind-2'];
      for (const probe of behind)
        await call('messages.publish', { profileId: profile.id, topic: 'demo/humidity', data: `{"probe": "${probe}"}`, qos: 1 });

      const [letter] = await waitFor(
        async () => {
          const list = await call<DeadLetterDTO[]>('outbox.deadLetters', { profileId: profile.id });
          return list.length ? list : null;
        },
        'the dead letter',
        60_000,
      );
      expect(letter).toMatchObject({
        profileId: profile.id,
        topic: 'demo/later',
        qos: 1,
        size: Buffer.byteLength('{"data":{"fix":1},"write":true}'),
      });
      expect(letter!.reason).toMatch(
        /the broker closed the connection each time demo\/later was sent \(3 times\): check that the channel and resource exist/,
      );
      expect(letter!.deadAt).toBeGreaterThanOrEqual(letter!.queuedAt);
      await waitFor(
        () => stateOf(profile.id).outbox === 0 && behind.every((p) => seen.some((m) => m.payload.includes(p))),
        'the messages behind it delivered',
        30_000,
      );
      expect(stateOf(profile.id)).toMatchObject({ outbox: 0, deadLetters: 1 });
      expect(stateOf(profile.id).error).toMatch(/moved to the profile's dead letters: retry it once fixed, or discard it/);
      expect(seen.some((m) => m.topic === 'demo/later')).toBe(false);

      // fixed: the resource exists now (as the Account tab would make it); retry delivers it, once
      t.core.services.sandbox!.accounts.createResource(demo().owner, 'demo', { name: 'later' });
      await waitFor(() => stateOf(profile.id).status === 'connected', 'connected again', 30_000);
      const retried = await call<{ profileId: string; outboxId: number }>('outbox.retry', { id: letter!.id });
      expect(retried.profileId).toBe(profile.id);
      await waitFor(() => seen.some((m) => m.topic === 'demo/later'), 'the retried message at the broker', 30_000);
      await waitFor(() => stateOf(profile.id).outbox === 0, 'the outbox empty');
      expect(seen.filter((m) => m.topic === 'demo/later').map((m) => JSON.parse(m.payload) as unknown)).toEqual([
        { data: { fix: 1 }, write: true },
      ]);
      expect(await call('outbox.deadLetters', { profileId: profile.id })).toEqual([]);
      expect(stateOf(profile.id).deadLetters).toBeUndefined();
      expect(stateOf(profile.id).error ?? '').not.toMatch(/dead letters/);
      await expect(call('outbox.retry', { id: letter!.id })).rejects.toThrow(
        /no dead letter \d+: it was already retried or discarded/,
      );
      await call('sessions.disconnect', { profileId: profile.id });
    },
  );
});

describe('a message an MQTT 5 broker refuses in its PUBACK', () => {
  it('is kept as a dead letter, not deleted, and retry delivers it once the rights allow it', { timeout: 60_000 }, async () => {
    // Mosquitto with an ACL: anonymous clients may read closed/# but not publish there (PUBACK 0x87 in MQTT 5)
    const dir = tempDir('apiary-mosq-acl-');
    const port = await freePort();
    const acl = path.join(dir, 'acl');
    fs.writeFileSync(acl, 'topic readwrite open/#\ntopic read closed/#\n');
    const conf = path.join(dir, 'mosquitto.conf');
    const lines = [
      `user ${os.userInfo().username}`,
      'allow_anonymous true',
      `listener ${port} 127.0.0.1`,
      `acl_file ${acl}`,
      'persistence false',
      'log_dest none',
    ];
    fs.writeFileSync(conf, `${lines.join('\n')}\n`);
    const broker = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    const url = `mqtt://127.0.0.1:${port}`;
    let subscriber: mqtt.MqttClient | undefined;
    try {
      subscriber = await waitFor(() => mqtt.connectAsync(url, { reconnectPeriod: 0 }).catch(() => null), 'mosquitto up');
      const received: string[] = [];
      await subscriber.subscribeAsync('closed/#', { qos: 1 });
      subscriber.on('message', (_topic, payload) => received.push(payload.toString()));

      const profile = await call<ProfileDTO>('profiles.save', { name: 'acl broker', kind: 'mqtt', url, protocolVersion: 5 });
      await call('sessions.connect', { profileId: profile.id });
      await waitFor(() => stateOf(profile.id).status === 'connected', 'connected');
      await expect(
        call('messages.publish', { profileId: profile.id, topic: 'closed/door', data: '{"open": true}', qos: 1 }),
      ).rejects.toThrow(/not sent: the broker refused closed\/door \(PUBACK 0x87: .*\) \(kept in the profile's dead letters\)/);
      const [letter] = await call<DeadLetterDTO[]>('outbox.deadLetters', { profileId: profile.id });
      expect(letter).toMatchObject({ topic: 'closed/door', size: Buffer.byteLength('{"open":true}') });
      expect(stateOf(profile.id)).toMatchObject({ status: 'connected', outbox: 0, deadLetters: 1 });

      // fixed: the ACL lets it publish there now (SIGHUP reloads it); retry delivers it
      fs.writeFileSync(acl, 'topic readwrite open/#\ntopic readwrite closed/#\n');
      broker.kill('SIGHUP');
      // the reload is not acknowledged: wait until another MQTT 5 client may publish there
      const probe = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
      await waitFor(
        () =>
          probe.publishAsync('closed/probe', 'x', { qos: 1 }).then(
            () => true,
            () => false,
          ),
        'the new ACL in force',
      );
      await probe.endAsync();
      await call('outbox.retry', { id: letter!.id });
      await waitFor(() => received.some((m) => m !== 'x'), 'the retried message at the subscriber', 20_000);
      expect(received.filter((m) => m !== 'x')).toEqual(['{"open":true}']);
      await waitFor(() => stateOf(profile.id).outbox === 0, 'the outbox empty');
      expect(await call('outbox.deadLetters', { profileId: profile.id })).toEqual([]);
      await call('sessions.disconnect', { profileId: profile.id });
    } finally {
      await subscriber?.endAsync();
      broker.kill('SIGTERM');
    }
  });
});

describe('apiary outbox on the data dir', () => {
  it(
    'lists the dead letters, discards one, retries one, and the app delivers the retried one after a restart',
    { timeout: 120_000 },
    async () => {
      const first = await startTestCore({ demoSensor: false });
      const dataDir = first.dataDir;
      let second: TestCore | undefined;
      try {
        const sandbox = first.core.services.sandbox!;
        const other = (await first.core.call('profiles.save', {
          name: 'second',
          kind: 'sandbox',
          secret: sandbox.demo!.token,
          secretMode: 'ask',
        })) as ProfileDTO;
        await first.core.call('sessions.connect', { profileId: other.id });
        await waitFor(
          () => first.core.services.sessions.state('sandbox').status === 'connected',
          'the built-in sandbox connected',
        );
        await waitFor(() => first.core.services.sessions.state(other.id).status === 'connected', 'the second profile connected');
        // two real refusals at once, one per profile (each with its own backoff): writes to resources that do not exist
        await first.core.call('messages.publish', { profileId: 'sandbox', topic: 'demo/keep', data: '7', write: true, qos: 1 });
        await first.core.call('messages.publish', { profileId: other.id, topic: 'demo/drop', data: '8', write: true, qos: 1 });
        await waitFor(() => first.core.services.outbox.deadLetters.list().length === 2, 'two dead letters', 60_000);
        sandbox.accounts.createResource(sandbox.demo!.owner, 'demo', { name: 'keep' }); // fixed, as the user would
        await first.close();

        const cli = async (...argv: string[]) => {
          const { io, out } = captureIo();
          const code = await runOutboxCommand([...argv, '--data', dataDir], io);
          return { code, ...out };
        };
        const listed = await cli('dead-letters', '--json');
        expect(listed.code).toBe(0);
        const letters = JSON.parse(listed.stdout) as (DeadLetterDTO & { profileName: string })[];
        expect(letters.map((d) => [d.profileName, d.topic])).toEqual([
          ['Sandbox (demo)', 'demo/keep'],
          ['second', 'demo/drop'],
        ]);
        const [keep, drop] = letters;
        expect(keep!.reason).toMatch(/closed the connection each time demo\/keep was sent/);
        expect((await cli('dead-letters')).stdout).toMatch(
          /demo\/drop {2}\d+ B {2}set aside .* UTC: the broker closed the connection/,
        );

        const discarded = await cli('discard', String(drop!.id));
        expect(discarded).toMatchObject({
          code: 0,
          stdout: `discarded dead letter ${drop!.id} (demo/drop, ${drop!.size} bytes)\n`,
        });
        const again = await cli('discard', String(drop!.id));
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/no dead letter \d+: it was already retried or discarded/);
        expect((await cli('retry', 'abc')).code).toBe(2);
        const retried = await cli('retry', String(keep!.id), '--json');
        expect(retried.code).toBe(0);
        expect(JSON.parse(retried.stdout)).toMatchObject({ retried: keep!.id, profileId: 'sandbox' });
        expect((await cli('dead-letters')).stdout).toBe('no dead letters: nothing was set aside\n');

        // the app, started again on the same data dir, connects the built-in profile and delivers it
        second = await startTestCore({ demoSensor: false, dataDir });
        const echoes: MessageDTO[] = [];
        second.core.bus.subscribe((event, data) => {
          if (event === 'messages.batch')
            echoes.push(...(data as EventPayloads['messages.batch']).messages.filter((m) => m.topic === 'demo/keep'));
        });
        await waitFor(
          () => echoes.length > 0 && second!.core.services.outbox.count('sandbox') === 0,
          'the retried message delivered',
          30_000,
        );
        expect(echoes[0]!.envelope?.data).toBe(7);
        expect(second.core.services.outbox.deadLetters.list()).toEqual([]);
      } finally {
        await second?.close();
      }
    },
  );
});
