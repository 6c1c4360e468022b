/**
 * Tasmota takes Wi-Fi over Improv but MQTT settings only through its console: one `Backlog` line.
 *
 * What real Tasmota does with MQTT, and why the line looks the way it does:
 * - Tasmota publishes only on `<FullTopic>/<SUBTOPIC>` (SENSOR, STATE, RESULT, LWT…): FullTopic
 *   (default `%prefix%/%topic%/`) with `%prefix%` → cmnd|stat|tele and `%topic%` → Topic, and a
 *   trailing `/` always added before the subtopic. `Topic c/r` therefore yields `tele/c/r/SENSOR`: never
 *   the two-level `channel/resource` Beebotte bridges, and outside the channel a channel token may use.
 * - So `FullTopic <channel>/%topic%/%prefix%/` keeps the device's own traffic (LWT, STATE, SENSOR and its
 *   `cmnd/#` subscription) inside its channel, where the channel token has rights (Beebotte relays such
 *   deeper topics but does not bridge or persist them), and
 * - a rule publishes the Beebotte envelope on exactly `<channel>/<resource>`: `Publish` sends any topic
 *   and payload as given. `Mqtt#Connected` fires on every (re)connect, so the first message comes
 *   whatever sensors the board has. Mapping a sensor reading onto the resource is the user's own rule
 *   (e.g. `Rule2 ON Tele-DS18B20#Temperature DO Publish c/r {"data":%value%} ENDON`).
 *   Pairing takes over rule set 3 (`Rule3 …; Rule3 1`: a rule set must be switched on).
 * - Stock Tasmota builds have no MQTT TLS (ESP8266 never, ESP32 only with SetOption103 and a certificate
 *   Tasmota trusts), so Tasmota gets cleartext MQTT: Beebotte's own 1883 for mqtt.beebotte.com, or the
 *   broker's mqtt:// URL. A TLS-only broker is refused rather than given a port Tasmota cannot speak.
 * - `MqttPassword 0` clears the password (Beebotte wants it blank; an empty argument only prints it).
 * - Changing MqttHost/MqttPort/MqttUser/FullTopic restarts the device once the Backlog is done.
 * Values cannot contain the `;` separator or a line break, so those are refused, not escaped.
 */
import { PairingError } from './errors.js';

const BEEBOTTE_MQTT_HOST = 'mqtt.beebotte.com';

/** Tasmota's serial command buffer (INPUT_BUFFER_SIZE) is 520 bytes; keep clear of it. */
export const TASMOTA_MAX_LINE = 500;

/** The rule set pairing writes (and switches on). */
export const TASMOTA_RULE_SET = 3;

export interface TasmotaMqtt {
  host: string;
  port: number;
  username: string;
  password: string;
  channel: string;
  resource: string;
}

/**
 * Where a Tasmota device connects: the broker as the app reaches it, in cleartext. Beebotte serves
 * cleartext on 1883; any other TLS broker is refused with what to do.
 */
export function tasmotaBroker(target: { host: string; port: number; tls: boolean }): {
  host: string;
  port: number;
  cleartextFallback: boolean;
} {
  if (!target.tls) return { host: target.host, port: target.port, cleartextFallback: false };
  if (target.host.toLowerCase() === BEEBOTTE_MQTT_HOST) return { host: target.host, port: 1883, cleartextFallback: true };
  throw new PairingError(
    'bad-input',
    `stock Tasmota has no MQTT over TLS, and ${target.host}:${target.port} is a TLS broker: give the broker's cleartext mqtt:// URL, or set MQTT (with SetOption103) in Tasmota yourself`,
  );
}

/** The envelope the pairing rule publishes when MQTT connects. */
export const TASMOTA_HELLO = '{"data":"online"}';

/**
 * `Backlog MqttHost h; MqttPort p; MqttUser u; MqttPassword p; FullTopic <channel>/%topic%/%prefix%/;
 * Rule3 ON Mqtt#Connected DO Publish <channel>/<resource> {"data":"online"} ENDON; Rule3 1`
 * (CR LF added by the sender).
 */
export function tasmotaBacklog(s: TasmotaMqtt): string {
  const rule = `Rule${TASMOTA_RULE_SET}`;
  const fields: [string, string][] = [
    ['MqttHost', s.host],
    ['MqttPort', String(s.port)],
    ['MqttUser', s.username],
    ['MqttPassword', s.password === '' ? '0' : s.password],
    ['FullTopic', `${s.channel}/%topic%/%prefix%/`],
    [rule, `ON Mqtt#Connected DO Publish ${s.channel}/${s.resource} ${TASMOTA_HELLO} ENDON`],
    [rule, '1'],
  ];
  for (const [name, value] of fields) {
    if (value === '' || /[;\r\n]/.test(value) || /^\s|\s$/.test(value)) {
      throw new PairingError(
        'bad-input',
        `${name} cannot be sent to Tasmota: it is empty, has a ';' or a line break, or starts or ends with a space`,
      );
    }
  }
  for (const [name, value] of [
    ['channel', s.channel],
    ['resource', s.resource],
  ] as const) {
    if (!/^\w+$/.test(value))
      throw new PairingError('bad-input', `the ${name} "${value}" is not a Beebotte name (letters, digits, _)`);
  }
  const line = `Backlog ${fields.map(([n, v]) => `${n} ${v}`).join('; ')}`;
  if (line.length > TASMOTA_MAX_LINE) {
    throw new PairingError(
      'bad-input',
      `the Tasmota settings are ${line.length} characters, more than its console takes (${TASMOTA_MAX_LINE}): use shorter channel and resource names`,
    );
  }
  return line;
}

/**
 * Everything pairing sends a Tasmota device for MQTT: the Backlog line for the broker as the app reaches it
 * (made cleartext, see tasmotaBroker), and the progress text that says where it will connect.
 */
export function tasmotaSettings(
  target: { host: string; port: number; tls: boolean },
  login: { username: string; password: string },
  channel: string,
  resource: string,
): { line: string; detail: string } {
  const t = tasmotaBroker(target);
  const note = t.cleartextFallback ? ' (cleartext: stock Tasmota has no TLS)' : '';
  return {
    line: tasmotaBacklog({ host: t.host, port: t.port, username: login.username, password: login.password, channel, resource }),
    detail: `Tasmota console: mqtt://${t.host}:${t.port}${note}, rule publishing on ${channel}/${resource}`,
  };
}

/** Firmware names that mean "use the Tasmota console for MQTT". */
export function isTasmota(firmware: string): boolean {
  return /tasmota/i.test(firmware);
}
