/**
 * The reference subscriber: bare mqtt.js that only counts, i.e. the limit of the client library on this
 * machine. Config: { url, filter, username?, password? }. Prints {"type":"ready"} once subscribed, then a
 * {"type":"tick","at","n","cpuUs","sysUs","rss"} line every 200 ms until stdin closes (or 10 min pass).
 */
import mqtt from 'mqtt';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
setTimeout(() => process.exit(3), 600_000).unref();

let n = 0;
const client = mqtt.connect(cfg.url, {
  clientId: `apiary-bench-counter-${process.pid}`,
  ...(cfg.username ? { username: cfg.username, password: cfg.password ?? '' } : {}),
  protocolVersion: 4,
  reconnectPeriod: 0,
  clean: true,
});
client.on('message', () => {
  n++;
});
client.on('error', (err) => {
  process.stderr.write(`counter: ${err.message}\n`);
  process.exit(2);
});
client.once('connect', async () => {
  await client.subscribeAsync(cfg.filter ?? '#', { qos: cfg.qos ?? 0 });
  out({ type: 'ready' });
  const tick = () => {
    const cpu = process.cpuUsage();
    out({ type: 'tick', at: Date.now(), n, cpuUs: cpu.user + cpu.system, sysUs: cpu.system, rss: process.memoryUsage().rss });
  };
  tick();
  setInterval(tick, 200);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
