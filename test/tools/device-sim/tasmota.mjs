// The simulated device's Tasmota side: its serial console and its MQTT behaviour, as far as pairing
// touches them. Modelled on Tasmota's source (xdrv_02_9_mqtt.ino: GetTopic_P, CmndFullTopic,
// CmndPublish, MqttReconnect; xdrv_10_rules.ino: RulesRuleMatch, RuleSetProcess), so the host's commands
// meet the rules a real board applies and a wrong Backlog fails here as it would on the bench:
// - Tasmota's own messages go to <FullTopic, %prefix% → cmnd|stat|tele, %topic% → Topic, '#' removed,
//   '//' → '/', a '/' added if missing> + <SUBTOPIC>. Defaults: FullTopic %prefix%/%topic%/,
//   Topic tasmota_<6 hex>. `Topic c/r` therefore publishes tele/c/r/SENSOR, never c/r.
// - On connect: will "Offline" and then "Online" (retained) on the tele LWT topic, a subscription to the
//   cmnd topic + '#', rule trigger Mqtt#Connected; then every teleperiod tele STATE and tele SENSOR,
//   Tasmota's plain JSON (no Beebotte envelope), SENSOR also feeding the Tele-<Sensor>#<Value> triggers.
// - Rule<n> <text> stores rule set n; Rule<n> 1 / 0 switches it on / off. Storing a text does not switch
//   a set on here (the conservative reading): the host must send Rule<n> 1.
//   Triggers: Mqtt#Connected, System#Boot, Tele-<Sensor>#<Value>, matched on presence (no comparisons).
//   Commands in a rule: Publish / Publish2 <topic> <payload> (%value%, %topic% replaced); others are
//   logged and ignored.
// - MqttPassword/MqttUser 0 clear, 1 restore the default; changing MqttHost, MqttPort, MqttUser,
//   MqttPassword, Topic or FullTopic restarts the board once the Backlog is done: MQTT drops, the boot
//   log shows, Wi-Fi (kept in flash) and MQTT come back with the new settings.
// - No TLS: stock Tasmota speaks cleartext MQTT whatever the port (SetOption103 is not modelled).
// Not modelled: GroupTopic and fallback topic subscriptions, SetOption*, TelePeriod, Backlog delays.
// The console echoes results like Tasmota ("RSL: RESULT = {…}"); MqttPassword shows as ****, MqttUser as
// set (as on a real board — the host must keep the device log out of what it prints).
import mqtt from 'mqtt';

const DEFAULTS = { user: 'DVES_USER', password: 'DVES_PASS', fullTopic: '%prefix%/%topic%/' };
const RESTARTING = new Set(['mqtthost', 'mqttport', 'mqttuser', 'mqttpassword', 'topic', 'fulltopic']);

/**
 * @param {{ log(line: string): void, online(): boolean, teleMs: number, ssid(): string }} io
 */
export function createTasmota(io) {
  const id6 = Math.floor(Math.random() * 0xffffff)
    .toString(16)
    .toUpperCase()
    .padStart(6, '0');
  const settings = {
    host: '',
    port: 1883,
    user: DEFAULTS.user,
    password: DEFAULTS.password,
    topic: `tasmota_${id6}`,
    fullTopic: DEFAULTS.fullTopic,
    client: `DVES_${id6}`,
  };
  const rules = [1, 2, 3].map(() => ({ text: '', on: false }));
  let client = null;
  let teleTimer = null;
  let bootTimer = null;
  let reading = 0;
  const bootedAt = Date.now();

  /** GetTopic_P: prefix 'cmnd' | 'stat' | 'tele', then the subtopic. */
  function topicFor(prefix, subtopic) {
    let full = settings.fullTopic;
    if (prefix === 'cmnd' && !full.includes('%prefix%')) full += '/%prefix%';
    full = full.replaceAll('%prefix%', prefix).replaceAll('%topic%', settings.topic).replaceAll('#', '').replaceAll('//', '/');
    if (!full.endsWith('/')) full += '/';
    return `${full}${subtopic}`;
  }

  const respond = (name, value) => io.log(`RSL: RESULT = ${JSON.stringify({ [name]: value })}`);

  /** One command (from the console, a Backlog, or a rule); true when it needs a restart. */
  function execute(command) {
    const m = /^(\S+)\s*(.*)$/.exec(command.trim());
    if (!m) return false;
    const [, name, rawValue] = m;
    const value = rawValue.trim();
    const key = name.toLowerCase();
    const before = JSON.stringify(settings);
    switch (key) {
      case 'mqtthost':
        if (value) settings.host = value === '0' ? '' : value;
        respond('MqttHost', settings.host);
        break;
      case 'mqttport':
        if (value) settings.port = value === '1' ? 1883 : Number(value) || settings.port;
        respond('MqttPort', settings.port);
        break;
      case 'mqttuser':
        if (value) settings.user = value === '0' ? '' : value === '1' ? DEFAULTS.user : value;
        respond('MqttUser', settings.user);
        break;
      case 'mqttpassword':
        if (value) settings.password = value === '0' ? '' : value === '1' ? DEFAULTS.password : value;
        respond('MqttPassword', '****');
        break;
      case 'topic':
        if (value) settings.topic = value === '1' ? `tasmota_${id6}` : value.replace(/[+# ]/g, '_');
        respond('Topic', settings.topic);
        break;
      case 'fulltopic':
        if (value) settings.fullTopic = value === '1' ? DEFAULTS.fullTopic : value.replace(/[+ ]/g, '');
        respond('FullTopic', settings.fullTopic);
        break;
      case 'publish':
      case 'publish2': {
        const space = value.indexOf(' ');
        const topic = (space < 0 ? value : value.slice(0, space)).replaceAll('#', ' ');
        const payload = space < 0 ? '' : value.slice(space + 1);
        if (client?.connected && topic) client.publish(topic, payload, { qos: 0, retain: key === 'publish2' });
        break;
      }
      default: {
        const rule = /^rule([1-3])$/.exec(key);
        if (rule) {
          const set = rules[Number(rule[1]) - 1];
          if (value === '0' || value === '1') set.on = value === '1';
          else if (value === '"') set.text = '';
          else if (value.startsWith('+')) set.text = `${set.text} ${value.slice(1)}`.trim();
          else if (value) set.text = value;
          respond(`Rule${rule[1]}`, { State: set.on ? 'ON' : 'OFF', Rules: set.text });
          break;
        }
        respond('Command', 'Unknown');
      }
    }
    return RESTARTING.has(key) && JSON.stringify(settings) !== before;
  }

  /** A console line: one command, or a Backlog of several separated by ';'. */
  function consoleLine(line) {
    const m = /^backlog\s+(.*)$/i.exec(line.trim());
    const commands = m ? m[1].split(';') : [line];
    let restart = false;
    for (const c of commands) if (c.trim()) restart = execute(c) || restart;
    if (restart) reboot();
  }

  /** RulesRuleMatch, presence only: `Mqtt#Connected` against {"Mqtt":{"Connected":1}}, Tele- for SENSOR. */
  function runRules(event, tele) {
    for (const set of rules) {
      if (!set.on || !set.text) continue;
      for (const [, trigger, commands] of set.text.matchAll(/ON\s+(\S+)\s+DO\s+(.*?)\s+(?:ENDON|BREAK)/gi)) {
        let path = trigger;
        if (tele) {
          if (!/^tele-/i.test(path)) continue;
          path = path.slice(5);
        }
        let node = event;
        for (const part of path.split('#')) {
          const k =
            node && typeof node === 'object' ? Object.keys(node).find((x) => x.toLowerCase() === part.toLowerCase()) : undefined;
          node = k === undefined ? undefined : node[k];
        }
        if (node === undefined) continue;
        const value = typeof node === 'object' ? '' : String(node);
        const command = commands.replace(/%value%/gi, value).replace(/%topic%/gi, settings.topic);
        if (/^publish2?\s/i.test(command)) execute(command);
        else io.log(`RUL: ${trigger} performs "${command}" (not simulated)`);
      }
    }
  }

  function stopMqtt() {
    clearInterval(teleTimer);
    teleTimer = null;
    const c = client;
    client = null;
    return c ? new Promise((resolve) => c.end(true, {}, () => resolve())) : Promise.resolve();
  }

  function startMqtt() {
    if (!settings.host || !io.online()) return;
    io.log(`MQT: Attempting connection to ${settings.host}:${settings.port}...`);
    const c = mqtt.connect(`mqtt://${settings.host}:${settings.port}`, {
      clientId: settings.client,
      username: settings.user || undefined,
      password: settings.password || undefined,
      protocolVersion: 4,
      reconnectPeriod: 1000,
      connectTimeout: 5000,
      will: { topic: topicFor('tele', 'LWT'), payload: Buffer.from('Offline'), retain: true, qos: 0 },
    });
    client = c;
    c.on('connect', () => {
      if (client !== c) return;
      io.log('MQT: Connected');
      c.publish(topicFor('tele', 'LWT'), 'Online', { retain: true, qos: 0 });
      c.subscribe(topicFor('cmnd', '#'));
      runRules({ Mqtt: { Connected: 1 } }, false);
      clearInterval(teleTimer);
      teleTimer = setInterval(() => tele(c), io.teleMs);
    });
    c.on('close', () => {
      if (client === c) io.log('MQT: Connect failed or connection lost, retry');
    });
    c.on('error', (err) => {
      if (client === c) io.log(`MQT: ${err.message}`);
    });
  }

  function tele(c) {
    if (!c.connected) return;
    const time = new Date().toISOString().slice(0, 19);
    const uptimeSec = Math.round((Date.now() - bootedAt) / 1000);
    c.publish(
      topicFor('tele', 'STATE'),
      JSON.stringify({ Time: time, UptimeSec: uptimeSec, MqttCount: 1, Wifi: { SSId: io.ssid(), RSSI: 76 } }),
    );
    reading += 1;
    const sensor = { Time: time, SIM: { Temperature: Math.round((20 + Math.sin(reading / 5) * 3) * 10) / 10 }, TempUnit: 'C' };
    c.publish(topicFor('tele', 'SENSOR'), JSON.stringify(sensor));
    runRules(sensor, true);
  }

  /** restart_flag: once the Backlog is done the board restarts and comes back with its new settings. */
  function reboot() {
    io.log('APP: Restarting');
    clearTimeout(bootTimer);
    void stopMqtt().then(() => {
      bootTimer = setTimeout(() => {
        io.log('ets Jun  8 2016 00:22:57');
        io.log('rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)');
        io.log('APP: Tasmota (simulated) restarted');
        runRules({ System: { Boot: 1 } }, false); // before MQTT is up: a Publish here goes nowhere, as on a board
        startMqtt();
      }, 300);
    });
  }

  return {
    consoleLine,
    /** Wi-Fi just came up (Improv): connect if MQTT is set. */
    wifiUp() {
      if (!client) startMqtt();
    },
    get state() {
      if (!settings.host) return 'unset';
      return client?.connected ? 'connected' : 'connecting';
    },
    stop() {
      clearTimeout(bootTimer);
      return stopMqtt();
    },
  };
}
