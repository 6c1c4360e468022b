// The simulated device's MQTT side: connect with the provisioned settings, then publish a reading
// every second to the topic, like the firmware in resources/firmware does.
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';

/**
 * Connects; resolves { ok: true } once connected, or { ok: false, reason } after timeoutMs or a refusal.
 * Afterwards publishes {"data": <number>} every periodMs until stop().
 */
export function startMqttLink({
  host,
  port,
  tls,
  username,
  password,
  clientId,
  topic,
  caFile,
  insecure,
  timeoutMs,
  periodMs,
  log,
}) {
  const url = `${tls ? 'mqtts' : 'mqtt'}://${host}:${port}`;
  const options = {
    clientId,
    username: username || undefined,
    password: password || undefined,
    connectTimeout: timeoutMs,
    reconnectPeriod: 1000,
    protocolVersion: 4,
  };
  if (tls && caFile) options.ca = readFileSync(caFile);
  if (tls && insecure) options.rejectUnauthorized = false;

  const client = mqtt.connect(url, options);
  let timer = null;
  let reading = 0;
  let state = 'connecting';

  const firstConnect = new Promise((resolve) => {
    const giveUp = setTimeout(() => resolve({ ok: false, reason: 'timeout' }), timeoutMs);
    client.once('connect', () => {
      clearTimeout(giveUp);
      resolve({ ok: true });
    });
    client.on('error', (err) => {
      // a refused credential will not get better by retrying
      if (typeof err.code === 'number') {
        clearTimeout(giveUp);
        resolve({ ok: false, reason: `CONNACK ${err.code}` });
      }
    });
  }).then((r) => {
    if (!r.ok) {
      state = 'failed';
      client.end(true);
      return r;
    }
    state = 'connected';
    log(`[I][mqtt]: connected to ${host}:${port} as ${clientId}`);
    timer = setInterval(() => {
      reading += 1;
      const value = Math.round((20 + Math.sin(reading / 5) * 3) * 10) / 10;
      client.publish(topic, JSON.stringify({ data: value }), { qos: 0 });
    }, periodMs);
    return r;
  });

  client.on('close', () => {
    if (state === 'connected') state = 'connecting';
  });
  client.on('connect', () => {
    if (state !== 'failed') state = 'connected';
  });

  return {
    firstConnect,
    get state() {
      return state;
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      state = 'unset';
      return new Promise((resolve) => client.end(true, {}, () => resolve()));
    },
  };
}
