#!/usr/bin/env node
// A simulated ESP32 on a serial port: boot log, Improv serial, the Apiary MQTT extension (0x80/0x81),
// or Tasmota's console. Used by integration and e2e tests on the B side of a socat pty pair:
//   socat -d -d pty,raw,echo=0,link=/tmp/A pty,raw,echo=0,link=/tmp/B
//   node test/tools/device-sim/device-sim.mjs --port /tmp/B --ssid Home --password secret
// Flags: --port PATH (required)  --ssid S --password P (the Wi-Fi it accepts; default: any)
//        --no-apiary-ext (stock firmware: 0x80/0x81 → unknown RPC)
//        --tasmota (Tasmota: MQTT through its console, with Tasmota's own topic rules — see tasmota.mjs)
//        --name NAME  --join-ms N (Wi-Fi join time, default 300)  --mqtt-timeout-ms N (default 10000)
//        --publish-ms N (default 1000)  --ca FILE  --insecure  --baud N (default 115200)
//        --die-at STEP (fault tests: exit abruptly, without answering, when the host reaches STEP:
//          handshake = request state 0x02, deviceinfo = 0x03, scan = 0x04, wifi = 0x01, mqtt = 0x80,
//          first-message = right after answering 0x80, before the first publish)
//        --garbage (fault tests: random bytes and half frames between everything the device writes)
// Prints "device-sim: ready on PATH" on stdout once the port is open. Exits on SIGTERM/SIGINT or when
// the port closes. Never logs a password or token.
import { parseArgs } from 'node:util';
import { SerialPort } from 'serialport';
import { ERROR, HostInput, STATE, TYPE, frame, readStrings, result } from './improv.mjs';
import { startMqttLink } from './mqtt-link.mjs';
import { createTasmota } from './tasmota.mjs';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    ssid: { type: 'string' },
    password: { type: 'string' },
    'no-apiary-ext': { type: 'boolean', default: false },
    tasmota: { type: 'boolean', default: false },
    name: { type: 'string', default: 'Apiary Sim' },
    'join-ms': { type: 'string', default: '300' },
    'mqtt-timeout-ms': { type: 'string', default: '10000' },
    'publish-ms': { type: 'string', default: '1000' },
    ca: { type: 'string' },
    insecure: { type: 'boolean', default: false },
    baud: { type: 'string', default: '115200' },
    'die-at': { type: 'string' },
    garbage: { type: 'boolean', default: false },
  },
});
const DIE_STEPS = { 0x02: 'handshake', 0x03: 'deviceinfo', 0x04: 'scan', 0x01: 'wifi', 0x80: 'mqtt' };
if (args['die-at'] && ![...Object.values(DIE_STEPS), 'first-message'].includes(args['die-at'])) {
  process.stderr.write(`device-sim: --die-at takes one of ${[...Object.values(DIE_STEPS), 'first-message'].join(', ')}\n`);
  process.exit(2);
}
if (!args.port) {
  process.stderr.write('device-sim: --port PATH is required\n');
  process.exit(2);
}

const firmware = args.tasmota
  ? { name: 'Tasmota', version: '14.1.0', apiary: false }
  : args['no-apiary-ext']
    ? { name: 'ESPHome', version: '2024.6.0', apiary: false }
    : { name: 'Apiary', version: '1.0.0', apiary: true };
const device = { state: STATE.ready, hostname: 'apiary-sim', name: args.name, ip: '192.168.4.23' };
/** provisioned MQTT settings and the live link */
let mqttSettings = null;
let link = null;
let joinTimer = null;

const port = new SerialPort({ path: args.port, baudRate: Number(args.baud), autoOpen: false, hupcl: false });
const send = (buf) => {
  if (args.garbage) port.write(noise());
  return port.write(buf);
};
let joinedSsid = '';
const tasmota = args.tasmota
  ? createTasmota({
      log: (line) => log(line),
      online: () => device.state === STATE.provisioned,
      ssid: () => joinedSsid,
      teleMs: Number(args['publish-ms']),
    })
  : null;

/**
 * Line noise for --garbage: random bytes (never a newline or an "I" that could start a real header),
 * or the first half of a valid frame, as a device resetting mid-write leaves. Half frames are never
 * followed by their tail, so the host's parser must drop them and still find the next whole frame.
 */
function noise() {
  if (Math.random() < 0.5) {
    const whole = frame(TYPE.state, Buffer.from([STATE.ready]));
    return whole.subarray(0, 3 + Math.floor(Math.random() * (whole.length - 4)));
  }
  const bytes = Buffer.alloc(1 + Math.floor(Math.random() * 24));
  for (let i = 0; i < bytes.length; i++) {
    let b = Math.floor(Math.random() * 256);
    while (b === 0x0a || b === 0x49) b = Math.floor(Math.random() * 256);
    bytes[i] = b;
  }
  return bytes;
}

/** --die-at: vanish like an unplugged board; no answer, no clean close. */
function dieIfAt(step) {
  if (args['die-at'] !== step) return false;
  process.stdout.write(`device-sim: dying at ${step}\n`);
  process.exit(3);
  return true;
}
const log = (line) => send(Buffer.from(`${line}\r\n`));
const sendState = (s) => {
  device.state = s;
  send(frame(TYPE.state, Buffer.from([s])));
};
const sendError = (e) => send(frame(TYPE.error, Buffer.from([e])));

function handleRpc(data) {
  const command = data[0];
  const len = data[1];
  const list = data.length >= 2 && 2 + len <= data.length ? readStrings(data.subarray(2, 2 + len)) : null;
  if (list === null) return sendError(ERROR.invalidRpc);
  // which RPCs arrived (never their data): tests check what a board was sent
  process.stdout.write(`device-sim: rpc 0x${command.toString(16).padStart(2, '0')}\n`);
  if (DIE_STEPS[command] && dieIfAt(DIE_STEPS[command])) return;
  switch (command) {
    case 0x01:
      return joinWifi(list[0] ?? '', list[1] ?? '');
    case 0x02:
      sendState(device.state);
      if (device.state === STATE.provisioned) send(result(0x02, [`http://${device.ip}/`]));
      return;
    case 0x03:
      return send(result(0x03, [firmware.name, firmware.version, 'ESP32', device.name]));
    case 0x04:
      return scan();
    case 0x05:
      if (list[0] !== undefined) {
        if (!/^[a-z0-9-]{1,63}$/i.test(list[0])) return sendError(ERROR.badHostname);
        device.hostname = list[0];
      }
      return send(result(0x05, [device.hostname]));
    case 0x06:
      if (list[0] !== undefined) device.name = list[0];
      return send(result(0x06, [device.name]));
    case 0x80:
      if (!firmware.apiary) return sendError(ERROR.unknownRpc);
      return setMqtt(list);
    case 0x81:
      if (!firmware.apiary) return sendError(ERROR.unknownRpc);
      return getMqtt();
    default:
      return sendError(ERROR.unknownRpc);
  }
}

function joinWifi(ssid, password) {
  sendError(ERROR.none);
  sendState(STATE.provisioning);
  log(`[I][wifi]: connecting to "${ssid}"`);
  clearTimeout(joinTimer);
  joinTimer = setTimeout(() => {
    const accepted = (!args.ssid || ssid === args.ssid) && (args.password === undefined || password === args.password);
    if (!accepted) {
      log(`[W][wifi]: could not connect to "${ssid}"`);
      sendError(ERROR.unableToConnect);
      sendState(STATE.ready);
      return;
    }
    log(`[I][wifi]: connected, IP ${device.ip}`);
    joinedSsid = ssid;
    sendState(STATE.provisioned);
    send(result(0x01, [`http://${device.ip}/`]));
    tasmota?.wifiUp();
  }, Number(args['join-ms']));
}

function scan() {
  const networks = [
    [args.ssid ?? 'ApiaryNet', '-48', 'YES'],
    ['Neighbours', '-80', 'YES'],
    ['CafeFree', '-71', 'NO'],
  ];
  for (const n of networks) send(result(0x04, n));
  send(result(0x04, []));
}

async function connectMqtt(settings) {
  // new settings on a connected board (a re-provision after a token regeneration): drop the old
  // connection, which may be looping on a dead token, and connect with the new credentials
  if (link) log('[I][mqtt]: new settings: closing the old connection');
  await link?.stop();
  mqttSettings = settings;
  log(`[I][mqtt]: connecting to ${settings.host}:${settings.port}${settings.tls ? ' (TLS)' : ''}`);
  link = startMqttLink({
    ...settings,
    caFile: args.ca,
    insecure: args.insecure,
    timeoutMs: Number(args['mqtt-timeout-ms']),
    periodMs: Number(args['publish-ms']),
    log,
  });
  const outcome = await link.firstConnect;
  if (!outcome.ok) log(`[W][mqtt]: connection failed (${outcome.reason})`);
  return outcome.ok;
}

async function setMqtt(list) {
  if (list.length < 7) return sendError(ERROR.invalidRpc);
  const [host, portText, tls, username, password, clientId, topic] = list;
  if (device.state !== STATE.provisioned) return sendError(ERROR.unableToConnect); // no Wi-Fi yet
  const ok = await connectMqtt({ host, port: Number(portText), tls: tls === '1', username, password, clientId, topic });
  if (ok) {
    send(result(0x80, [clientId]));
    // let the answer reach the host, then vanish before the first publish
    if (args['die-at'] === 'first-message') setTimeout(() => dieIfAt('first-message'), 200);
  } else sendError(ERROR.unableToConnect);
}

function getMqtt() {
  if (!mqttSettings) return send(result(0x81, ['', '', '', '', '', '', 'unset']));
  const s = mqttSettings;
  const masked = s.username.length > 8 ? `${s.username.slice(0, 6)}…` : '…';
  send(result(0x81, [s.host, String(s.port), s.tls ? '1' : '0', masked, s.clientId, s.topic, link?.state ?? 'unset']));
}

/** Tasmota takes console lines (tasmota.mjs); other firmware ignores text. */
function handleConsole(line) {
  tasmota?.consoleLine(line);
}

const input = new HostInput({
  onFrame: (type, data) => {
    if (type === TYPE.rpc) void handleRpc(data);
  },
  onBadFrame: () => sendError(ERROR.invalidRpc),
  onLine: handleConsole,
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  clearTimeout(joinTimer);
  clearInterval(chatter);
  await link?.stop();
  await tasmota?.stop();
  if (port.isOpen) await new Promise((r) => port.close(() => r()));
  process.exit(code);
}

let chatter = null;
port.open((err) => {
  if (err) {
    process.stderr.write(`device-sim: cannot open ${args.port}: ${err.message}\n`);
    process.exit(1);
  }
  port.on('data', (chunk) => input.push(chunk));
  port.on('close', () => void stop(0));
  port.on('error', () => void stop(0));
  log('ets Jun  8 2016 00:22:57');
  log('rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)');
  log(`[I][app]: ${firmware.name} ${firmware.version} (simulated) starting`);
  // a device keeps logging while it is being provisioned: the host must skip these lines
  chatter = setInterval(() => log(`[D][sensor]: uptime ${Math.round(process.uptime())} s`), 700);
  process.stdout.write(`device-sim: ready on ${args.port}\n`);
});
process.on('SIGTERM', () => void stop(0));
process.on('SIGINT', () => void stop(0));
