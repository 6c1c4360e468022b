/**
 * An MQTT 5 broker that ends the connection with a DISCONNECT says why in a reason code: the session's state
 * shows it in words (and the reason string), not a bare "connection closed".
 */
import net from 'node:net';
import { afterAll, expect, it } from 'vitest';
import mqttPacket from 'mqtt-packet';
import { systemClock } from '../../electron/core/platform.js';
import { Session } from '../../electron/core/session/session.js';
import { waitFor } from '../tools/core-fixture.js';

const sockets = new Set<net.Socket>();
/** Accepts one MQTT 5 CONNECT, answers CONNACK, then sends DISCONNECT 0x98 (administrative action). */
const broker = net.createServer((socket) => {
  sockets.add(socket);
  const parser = mqttPacket.parser({ protocolVersion: 5 });
  parser.on('packet', (packet) => {
    if (packet.cmd !== 'connect') return;
    socket.write(mqttPacket.generate({ cmd: 'connack', reasonCode: 0, sessionPresent: false }, { protocolVersion: 5 }));
    socket.write(
      mqttPacket.generate(
        { cmd: 'disconnect', reasonCode: 0x98, properties: { reasonString: 'maintenance' } },
        { protocolVersion: 5 },
      ),
    );
    socket.end(); // as a broker does after its DISCONNECT
  });
  socket.on('data', (chunk) => parser.parse(chunk));
  socket.on('error', () => undefined);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => broker.close(r));
});

it('a DISCONNECT reason code reaches the session state in words', async () => {
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
  const port = (broker.address() as net.AddressInfo).port;
  const session = new Session(
    {
      profileId: 'p',
      url: `mqtt://127.0.0.1:${port}`,
      displayHost: `127.0.0.1:${port}`,
      options: { clientId: 'reason-test', protocolVersion: 5 },
      subscriptions: [],
      credentialHint: 'check the login',
      backoff: { initialMs: 60_000, maxMs: 60_000, jitter: 0 },
    },
    systemClock,
  );
  const errors: string[] = [];
  session.on('state', (s) => s.error && errors.push(s.error));
  session.connect();
  try {
    await waitFor(() => errors.find((e) => e.includes('administrative action (0x98)')), 'the reason in words');
    expect(errors.join('\n')).toContain('maintenance');
  } finally {
    await session.disconnect();
  }
});
