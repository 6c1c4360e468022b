/**
 * Reading a flood in bursts (electron/core/session/read-bursts.ts), on real loopback sockets, TCP and TLS:
 * everything arrives, in order, the last message after the flood too; over TCP a flood is read in far fewer reads
 * than a client reading as data comes gets; and a consumer that stops consuming still stops the socket (the
 * pauses and their restarts leave Node's backpressure in charge: memory stays bounded).
 */
import net from 'node:net';
import tls from 'node:tls';
import { Writable, type Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInBursts } from '../../electron/core/session/read-bursts.js';
import { ensureTlsMaterial, type TlsMaterial } from '../../electron/sandbox/tls-certs.js';
import { tempDir, waitFor } from '../tools/core-fixture.js';

let material: TlsMaterial;
beforeAll(async () => {
  material = await ensureTlsMaterial(tempDir('apiary-read-bursts-'));
});

type Transport = 'tcp' | 'tls';
const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** A server that hands each accepted socket to `serve`; resolves with its port. */
async function serve(transport: Transport, onSocket: (socket: net.Socket) => void): Promise<number> {
  const accept = (socket: net.Socket): void => {
    socket.on('error', () => undefined); // the client hangs up mid-flood at the end of a test
    onSocket(socket);
  };
  const server =
    transport === 'tls' ? tls.createServer({ key: material.keyPem, cert: material.certPem }, accept) : net.createServer(accept);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function connect(transport: Transport, port: number): Promise<Duplex> {
  const socket =
    transport === 'tls' ? tls.connect({ host: '127.0.0.1', port, ca: material.caPem, servername: 'localhost' }) : net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

const FRAMES = 4000;
const LAST = 'last\n';

/** Writes FRAMES small frames, each its own segment, a turn of the loop apart every 10; then, 100 ms later, LAST. */
function flood(socket: net.Socket): void {
  socket.setNoDelay(true);
  let i = 0;
  const round = (): void => {
    for (let k = 0; k < 10 && i < FRAMES; k++, i++) socket.write(`${i}\n`);
    if (i < FRAMES) setImmediate(round);
    else setTimeout(() => socket.write(LAST), 100);
  };
  round();
}
const expected = Array.from({ length: FRAMES }, (_, i) => `${i}\n`).join('') + LAST;

/** What a client got: the text and how many reads delivered it. */
function collect(socket: Duplex): { text: () => string; reads: () => number } {
  let text = '';
  let reads = 0;
  socket.on('data', (chunk: Buffer) => {
    reads++;
    text += chunk.toString();
  });
  return { text: () => text, reads: () => reads };
}

describe.each<Transport>(['tcp', 'tls'])('a flood read in bursts over %s', (transport) => {
  it('arrives whole and in order, the message after it too', async () => {
    const port = await serve(transport, flood);
    const [bursts, plain] = await Promise.all([connect(transport, port), connect(transport, port)]);
    const stop = readInBursts(bursts);
    const inBursts = collect(bursts);
    const asItComes = collect(plain);
    await waitFor(() => inBursts.text().endsWith(LAST) && asItComes.text().endsWith(LAST), 'both clients got the last message');
    expect(inBursts.text()).toBe(expected);
    expect(asItComes.text()).toBe(expected);
    // the same frames from the same loop turns: reading as they come takes a read every turn or so. Over TLS a
    // 'data' event is a TLS record whatever the socket reads, so only TCP shows the reads it saved
    if (transport === 'tcp') expect(inBursts.reads()).toBeLessThan(asItComes.reads() / 2);
    stop();
    bursts.destroy();
    plain.destroy();
  });
});

describe('a consumer that stops consuming', () => {
  it('stops the socket: its memory stays bounded whatever the pauses restart', async () => {
    const MB = 1024 * 1024;
    let written = 0;
    const port = await serve('tcp', (socket) => {
      socket.setNoDelay(true);
      const chunk = Buffer.alloc(1024, 'x');
      const more = (): void => {
        // bounded: 8 MB at most, whatever the client does
        for (let k = 0; k < 64 && written < 8 * MB; k++, written += chunk.length) socket.write(chunk);
        if (written < 8 * MB) setImmediate(more);
      };
      more();
    });
    const socket = await connect('tcp', port);
    readInBursts(socket);
    // a consumer that takes one chunk and never asks for another (a stuck parser)
    socket.pipe(new Writable({ highWaterMark: 1024, write: () => undefined }));
    await waitFor(() => written >= 8 * MB, 'the server wrote its 8 MB');
    await new Promise((r) => setTimeout(r, 300)); // many pauses' worth
    // Node's stream buffer holds up to its high-water mark (16 KB) and a read or two more; the rest waits in
    // the kernel and the server, not in this process's memory
    expect(socket.readableLength).toBeLessThan(256 * 1024);
    socket.destroy();
  });
});
