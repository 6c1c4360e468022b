/**
 * A TCP proxy in front of a broker that can hold back chosen MQTT packet types on their way to the client
 * (e.g. PUBCOMP, to stop a QoS 2 exchange half way). It reads the frames (fixed header + remaining length) and
 * forwards whole frames only; dropped ones are counted.
 */
import net from 'node:net';

export interface DropProxy {
  url: string;
  /** packet types (1..15: 5 PUBREC, 7 PUBCOMP…) dropped from broker to client */
  drop: Set<number>;
  dropped(type: number): number;
  close(): Promise<void>;
}

/** The length of the first whole frame in buf, or 0 when it is not complete yet. */
function frameLength(buf: Buffer): number {
  let multiplier = 1;
  let length = 0;
  for (let i = 1; i <= 4 && i < buf.length; i++) {
    const byte = buf[i]!;
    length += (byte & 0x7f) * multiplier;
    if ((byte & 0x80) === 0) return buf.length >= 1 + i + length ? 1 + i + length : 0;
    multiplier *= 128;
  }
  return 0;
}

export async function startDropProxy(brokerPort: number): Promise<DropProxy> {
  const drop = new Set<number>();
  const counts = new Map<number, number>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(brokerPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    let pending = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let n = frameLength(pending); n > 0 && pending.length > 0; n = frameLength(pending)) {
        const frame = pending.subarray(0, n);
        pending = pending.subarray(n);
        const type = frame[0]! >> 4;
        if (drop.has(type)) counts.set(type, (counts.get(type) ?? 0) + 1);
        else client.write(frame);
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    drop,
    dropped: (type) => counts.get(type) ?? 0,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
