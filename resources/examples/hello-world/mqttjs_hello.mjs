// Beebotte Hello World with MQTT.js (npm install mqtt).
//
// Connects with username "token:<channel token>" and a blank password, subscribes to channel/resource,
// publishes {"data": "Hello World", "write": true} there, prints the message that comes back and exits 0.
// Settings come from the command line or the environment (BBT_HOST, BBT_PORT, BBT_TOKEN, BBT_CA, BBT_TOPIC);
// a CA file switches TLS on.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';

const env = process.env;
const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: env.BBT_HOST ?? 'mqtt.beebotte.com' },
    port: { type: 'string', default: env.BBT_PORT ?? '1883' },
    token: { type: 'string', default: env.BBT_TOKEN },
    ca: { type: 'string', default: env.BBT_CA },
    topic: { type: 'string', default: env.BBT_TOPIC ?? 'hello/world' },
  },
});
if (!args.token) {
  console.error('give the channel token: --token TOKEN or BBT_TOKEN=TOKEN');
  process.exit(2);
}

const client = mqtt.connect({
  host: args.host,
  port: Number(args.port),
  protocol: args.ca ? 'mqtts' : 'mqtt',
  ...(args.ca ? { ca: readFileSync(args.ca) } : {}),
  username: `token:${args.token}`,
  password: '',
  reconnectPeriod: 0,
});
const fail = (reason) => {
  console.error(reason);
  process.exit(1);
};
const timer = setTimeout(() => fail('no message within 10 s'), 10_000);

let received = false;
// once the message is in, a reset while the connection closes is no failure
client.on('error', (err) => {
  if (!received) fail(`connection failed: ${err.message}`);
});
client.on('connect', async () => {
  try {
    await client.subscribeAsync(args.topic, { qos: 1 });
    await client.publishAsync(args.topic, JSON.stringify({ data: 'Hello World', write: true }), { qos: 1 });
  } catch (err) {
    if (!received) fail(`subscribe/publish failed: ${err.message}`);
  }
});
client.on('message', (topic, payload) => {
  received = true;
  console.log(topic, payload.toString());
  clearTimeout(timer);
  client.end();
});
