/**
 * Improv serial client over an abstract duplex port (serialport in the app, a pipe in tests): detect,
 * identify, device info, scan, send Wi-Fi, hostname / device name, and the Apiary MQTT extension. One RPC
 * in flight at a time (improv-calls.ts); every call has a timeout; failures reject with a PairingError.
 */
import { FrameType, ImprovErrorCode, RpcCommand, encodeRpcCommand, stateName, type ImprovStateName } from './improv-codec.js';
import { PairingError, writeError } from './errors.js';
import { ImprovCalls } from './improv-calls.js';
import { deviceUrlFrom, type DeviceInfo, type MqttSettings, type MqttStatus, type WifiNetwork } from './improv-types.js';

export * from './improv-types.js';

export class ImprovClient extends ImprovCalls {
  /** Resends "request state" every interval until the device answers, up to the total time. */
  detect(): Promise<ImprovStateName> {
    return this.enqueue<ImprovStateName>('detecting the device', (done, fail) => {
      const frame = encodeRpcCommand(RpcCommand.RequestState);
      const send = () => void this.port.write(frame).catch((err: unknown) => fail(writeError(err, 'detecting the device')));
      send();
      const resend = setInterval(send, this.timeouts.detectIntervalMs);
      const giveUp = setTimeout(
        () => fail(new PairingError('no-answer', 'no Improv answer: wrong baud rate (try 115200) or firmware without Improv')),
        this.timeouts.detectTotalMs,
      );
      return {
        cleanup: () => {
          clearInterval(resend);
          clearTimeout(giveUp);
        },
        onFrame: (f) => {
          if (f.type === FrameType.State) done(stateName(f.data[0] ?? 0xff));
        },
        // a garbled request (wrong baud) can draw "invalid RPC": keep asking until the time is up
        onDeviceError: () => undefined,
      };
    });
  }

  /**
   * Improv's "request current state" (0x02) as an answer: the state, and for a provisioned board the page it
   * names (the "next URL"), waited for a short grace after the state frame since it is optional.
   */
  identify(): Promise<{ state: ImprovStateName; url?: string }> {
    let grace: NodeJS.Timeout | undefined;
    let state: ImprovStateName = 'unknown';
    const answer = (url?: string) => (url ? { state, url } : { state });
    return this.rpc<{ state: ImprovStateName; url?: string }>(
      RpcCommand.RequestState,
      [],
      'asking the device for its state',
      this.timeouts.rpcMs,
      {
        onResult: (strings, done) => done(answer(strings[0] || undefined)),
        onState: (s, done) => {
          state = s;
          if (s !== 'provisioned') return done(answer());
          if (!grace) grace = setTimeout(() => done(answer()), this.timeouts.provisionedGraceMs);
        },
        cleanup: () => clearTimeout(grace),
      },
    );
  }

  async deviceInfo(): Promise<DeviceInfo> {
    const s = await this.simpleRpc(RpcCommand.DeviceInfo, [], 'reading device info');
    if (s.length < 4) throw new PairingError('bad-answer', `device info has ${s.length} fields, expected 4`);
    const info: DeviceInfo = { firmware: s[0]!, version: s[1]!, chip: s[2]!, name: s[3]! };
    if (s[4] !== undefined) info.osName = s[4];
    if (s[5] !== undefined) info.osVersion = s[5];
    return info;
  }

  /** Collects one result per network until the device sends a result with no strings. */
  scanNetworks(): Promise<WifiNetwork[]> {
    const networks: WifiNetwork[] = [];
    return this.rpc<WifiNetwork[]>(RpcCommand.ScanNetworks, [], 'scanning Wi-Fi networks', this.timeouts.rpcMs, {
      onResult: (strings, done) => {
        if (strings.length === 0) return done(networks);
        const [ssid = '', rssi = '', secured = ''] = strings;
        // one network per SSID: keep the strongest signal
        const entry = { ssid, rssi: Number.parseInt(rssi, 10) || 0, secured: secured.toUpperCase() === 'YES' };
        const same = networks.findIndex((n) => n.ssid === ssid);
        if (same < 0) networks.push(entry);
        else if (networks[same]!.rssi < entry.rssi) networks[same] = entry;
      },
    });
  }

  /** Resolves once the device reports "provisioned"; error 0x03 means a wrong password or network. */
  sendWifi(ssid: string, password: string): Promise<{ redirectUrl?: string }> {
    let grace: NodeJS.Timeout | undefined;
    return this.rpc<{ redirectUrl?: string }>(
      RpcCommand.SendWifi,
      [ssid, password],
      `joining Wi-Fi "${ssid}"`,
      this.timeouts.wifiMs,
      {
        onResult: (strings, done) => {
          const redirectUrl = deviceUrlFrom(strings[0]);
          done(redirectUrl ? { redirectUrl } : {});
        },
        onState: (state, done) => {
          // the redirect-URL result is optional: do not wait for it forever
          if (state === 'provisioned' && !grace) grace = setTimeout(() => done({}), this.timeouts.provisionedGraceMs);
        },
        onDeviceError: (code) =>
          code === ImprovErrorCode.UnableToConnect
            ? new PairingError('unable-to-connect', `device could not join "${ssid}": check the password`)
            : undefined,
        cleanup: () => clearTimeout(grace),
      },
    );
  }

  /** Reads the hostname, or sets it when a value is given. */
  async hostname(value?: string): Promise<string> {
    const s = await this.simpleRpc(
      RpcCommand.Hostname,
      value ? [value] : [],
      value ? 'setting the hostname' : 'reading the hostname',
    );
    return s[0] ?? '';
  }

  /** Reads the device name, or sets it when a value is given. */
  async deviceName(value?: string): Promise<string> {
    const s = await this.simpleRpc(
      RpcCommand.DeviceName,
      value ? [value] : [],
      value ? 'setting the device name' : 'reading the device name',
    );
    return s[0] ?? '';
  }

  /** Apiary 0x80: the device stores the settings, connects, and answers its client id once connected. */
  async setMqtt(settings: MqttSettings): Promise<{ clientId: string }> {
    const where = `${settings.host}:${settings.port}`;
    const strings = [
      settings.host,
      String(settings.port),
      settings.tls ? '1' : '0',
      settings.username,
      settings.password,
      settings.clientId,
      settings.topic,
    ];
    return this.rpc<{ clientId: string }>(RpcCommand.SetMqtt, strings, 'sending MQTT settings', this.timeouts.mqttMs, {
      onResult: (s, done) => done({ clientId: s[0] ?? settings.clientId }),
      onDeviceError: (code) => {
        if (code === ImprovErrorCode.UnknownRpc) {
          return new PairingError(
            'unknown-rpc',
            'unknown RPC 0x80: the firmware lacks the Apiary MQTT extension; flash resources/firmware/apiary_device or set MQTT on the device by hand',
          );
        }
        if (code === ImprovErrorCode.UnableToConnect) {
          return new PairingError(
            'unable-to-connect',
            `device could not connect to the MQTT broker at ${where}: check the broker address, TLS and the token`,
          );
        }
        return undefined;
      },
    });
  }

  /** Apiary 0x81: what the device has stored and whether it is connected. */
  async getMqtt(): Promise<MqttStatus> {
    const s = await this.simpleRpc(RpcCommand.GetMqtt, [], 'reading MQTT settings');
    const [host = '', port = '', tls = '', username = '', clientId = '', topic = '', state = 'unset'] = s;
    return { host, port: Number.parseInt(port, 10) || 0, tls: tls === '1', username, clientId, topic, state };
  }

  /** Asks 0x81 (harmless) and tells whether the firmware knows the Apiary extension. */
  async supportsApiaryExtension(): Promise<boolean> {
    try {
      await this.getMqtt();
      return true;
    } catch (err) {
      if (err instanceof PairingError && err.code === 'unknown-rpc') return false;
      throw err;
    }
  }

  /** A console line for firmware with a text console (Tasmota), terminated with CR LF. */
  sendConsoleLine(line: string): Promise<void> {
    return this.enqueue<void>('writing a console command', (done, fail) => {
      this.port.write(new TextEncoder().encode(`${line}\r\n`)).then(
        () => done(undefined),
        (err: unknown) => fail(writeError(err, 'writing a console command')),
      );
      return { onFrame: () => undefined, onDeviceError: () => undefined };
    });
  }

}
