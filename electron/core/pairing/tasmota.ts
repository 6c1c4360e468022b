/**
 * Tasmota takes Wi-Fi over Improv but MQTT settings only through its console: one `Backlog` line.
 * Values cannot contain the `;` separator or a line break, so those are refused, not escaped.
 */
import { PairingError } from './errors.js';

export interface TasmotaMqtt {
  host: string;
  port: number;
  username: string;
  password: string;
  topic: string;
}

/** `Backlog MqttHost h; MqttPort p; MqttUser u; MqttPassword p; Topic t` (CR LF added by the sender). */
export function tasmotaBacklog(s: TasmotaMqtt): string {
  const fields: [string, string][] = [
    ['MqttHost', s.host],
    ['MqttPort', String(s.port)],
    ['MqttUser', s.username],
    // Tasmota reads "MqttPassword 0" as "no password"; an empty argument would only print the current one
    ['MqttPassword', s.password === '' ? '0' : s.password],
    ['Topic', s.topic],
  ];
  for (const [name, value] of fields) {
    if (value === '' || /[;\r\n]/.test(value) || /^\s|\s$/.test(value)) {
      throw new PairingError(
        'bad-input',
        `${name} cannot be sent to Tasmota: it is empty, has a ';' or a line break, or starts or ends with a space`,
      );
    }
  }
  return `Backlog ${fields.map(([n, v]) => `${n} ${v}`).join('; ')}`;
}

/** Firmware names that mean "use the Tasmota console for MQTT". */
export function isTasmota(firmware: string): boolean {
  return /tasmota/i.test(firmware);
}
