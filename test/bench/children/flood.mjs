/**
 * The load: a separate process that publishes with mqtt.js at QoS 0 on loopback.
 * Config (one JSON argument):
 *   url, username?, password?     broker and credential (the sandbox wants the demo token as username)
 *   topics, prefix, layout        `flat`: prefix/t0000… ; `tree`: prefix/d00/s00… (100 sensors a device)
 *   size                          payload bytes (JSON text)
 *   rate                          msg/s; 0 = as fast as the socket takes them
 *   count, seconds                both bound the flood; whichever comes first ends it
 *   single                        { topic } : publish one payload of `size` bytes and report when written
 * Prints {"type":"ready"}, then {"type":"started","at"}, {"type":"done","sent","at","seconds"}.
 * Waits for a {"go":true} line on stdin before flooding, so the runner decides when load starts.
 */
import readline from 'node:readline';
import mqtt from 'mqtt';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const hardStop = setTimeout(() => process.exit(3), ((cfg.seconds ?? 60) + 30) * 1000);
hardStop.unref();

function topicName(i) {
  if (cfg.layout === 'tree') return `${cfg.prefix}/d${String(Math.floor(i / 100)).padStart(2, '0')}/s${String(i % 100).padStart(2, '0')}`;
  return `${cfg.prefix}/t${String(i).padStart(4, '0')}`;
}

/** A JSON Beebotte-style envelope padded to exactly `size` bytes. */
function payload(i, size) {
  const head = `{"data":${(20 + (i % 1000) / 100).toFixed(2)},"seq":${i},"pad":"`;
  const tail = '"}';
  return Buffer.from(head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail);
}

/** A big JSON document (a batch of readings), minified on one line, of about `size` bytes. */
function bigPayload(size) {
  const parts = [];
  let n = 12;
  for (let i = 0; n < size - 64; i++) {
    const item = `{"t":${1764000000000 + i * 1000},"v":${(i % 997) / 10},"id":"s${i % 100}"}`;
    parts.push(item);
    n += item.length + 1;
  }
  return Buffer.from(`{"readings":[${parts.join(',')}]}`);
}

const client = mqtt.connect(cfg.url, {
  clientId: `apiary-bench-flood-${process.pid}`,
  ...(cfg.username ? { username: cfg.username, password: cfg.password ?? '' } : {}),
  // props: MQTT 5, every PUBLISH with a user property and a content type (the store keeps them: the props column)
  protocolVersion: cfg.props ? 5 : 4,
  reconnectPeriod: 0,
  connectTimeout: 10_000,
});
client.on('error', (err) => {
  process.stderr.write(`flood: ${err.message}\n`);
  process.exit(2);
});

const publish = (topic, body) => new Promise((resolve) => client.publish(topic, body, { qos: 0 }, () => resolve()));

/** One MQTT 3.1.1 PUBLISH, QoS 0 (no packet id): fixed header, remaining length, topic, payload. */
/** MQTT 5 PUBLISH properties: a user property (0x26) and a content type (0x03), behind their length (< 128). */
const PROPS = (() => {
  const str = (s) => [Buffer.from([s.length >> 8, s.length & 0xff]), Buffer.from(s)];
  const body = Buffer.concat([Buffer.from([0x26]), ...str('site'), ...str('bench'), Buffer.from([0x03]), ...str('application/json')]);
  return Buffer.concat([Buffer.from([body.length]), body]);
})();

function encodePublish(topic, body) {
  const t = Buffer.from(topic);
  if (cfg.props) body = Buffer.concat([PROPS, body]);
  const remaining = 2 + t.length + body.length;
  const len = [];
  let x = remaining;
  do {
    let byte = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) byte |= 0x80;
    len.push(byte);
  } while (x > 0);
  const head = Buffer.from([0x30, ...len, t.length >> 8, t.length & 0xff]);
  return Buffer.concat([head, t, body]);
}

/**
 * The flood. Packets are encoded once up front and written in chunks on the mqtt.js client's socket, so
 * the load generator costs little CPU and is not what limits the figures (mqtt.js's own publish() costs
 * ~20 µs a message here, which would make the publisher the bottleneck on a 2-core machine).
 */
async function flood() {
  const topicCount = cfg.topics ?? 1000;
  const perChunk = cfg.rate ? Math.max(1, Math.min(500, Math.round(cfg.rate / 200))) : 500;
  const cycle = Math.max(topicCount, 4000);
  const chunks = [];
  for (let i = 0; i < cycle; i += perChunk) {
    const packets = [];
    for (let k = i; k < Math.min(cycle, i + perChunk); k++) packets.push(encodePublish(topicName(k % topicCount), payload(k, cfg.size ?? 100)));
    chunks.push({ buf: Buffer.concat(packets), n: packets.length });
  }
  const stream = client.stream;
  const count = cfg.count ?? 1_000_000;
  const endAt = Date.now() + (cfg.seconds ?? 10) * 1000;
  const started = Date.now();
  out({ type: 'started', at: started });
  let sent = 0;
  let c = 0;
  while (sent < count && Date.now() < endAt) {
    const chunk = chunks[c++ % chunks.length];
    sent += chunk.n;
    if (!stream.write(chunk.buf)) await new Promise((r) => stream.once('drain', r));
    if (cfg.rate) {
      const wait = started + (sent / cfg.rate) * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    } else if (c % 20 === 0) {
      await new Promise((r) => setImmediate(r));
    }
  }
  const at = Date.now();
  for (let i = 0; i < 250 && stream.writableLength > 0; i++) await new Promise((r) => setTimeout(r, 20));
  out({ type: 'done', sent, at, seconds: (at - started) / 1000 });
}

async function single() {
  const body = bigPayload(cfg.size);
  const at = Date.now();
  await publish(cfg.single.topic, body);
  // a big packet sits in the socket's user-space buffer for a while: wait until the kernel has all of it
  for (let i = 0; i < 600 && client.stream.writableLength > 0; i++) await new Promise((r) => setTimeout(r, 20));
  out({ type: 'done', sent: 1, bytes: body.length, at, writtenAt: Date.now() });
}

client.once('connect', () => {
  out({ type: 'ready' });
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    if (!line.includes('"go"')) return;
    rl.close();
    await (cfg.single ? single() : flood());
    await client.endAsync(false).catch(() => undefined);
    process.exit(0);
  });
});
