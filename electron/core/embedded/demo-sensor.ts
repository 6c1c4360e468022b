import mqtt, { type MqttClient } from 'mqtt';

/**
 * A small simulated sensor for the first run: publishes {"data": <number>} to demo/temperature and
 * demo/humidity every second, as a device would, through the sandbox's MQTT port with the demo token.
 */
export class DemoSensor {
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private t = 0;

  constructor(
    private readonly url: string,
    private username: string,
    private readonly intervalMs = 1000,
  ) {}

  start(): void {
    if (this.timer) return; // started already
    this.connect();
    // a device reports as soon as it is online, not a period later: the first screen shows a reading at once
    this.client?.once('connect', () => this.tick());
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref?.();
  }

  /** After a token regeneration: reconnect with the new credential. */
  setUsername(username: string): void {
    this.username = username;
    const old = this.client;
    this.client = null;
    void old?.endAsync(true).catch(() => undefined);
    this.connect();
  }

  private connect(): void {
    this.client = mqtt.connect(this.url, {
      username: this.username,
      password: '',
      clientId: `apiary-demo-sensor-${process.pid}`,
      reconnectPeriod: 2000,
    });
  }

  private tick(): void {
    const client = this.client;
    if (!client?.connected) return;
    this.t += 1;
    // smooth, plausible indoor values with a little noise
    const temperature = round(21 + 2 * Math.sin(this.t / 60) + (Math.random() - 0.5) * 0.3);
    const humidity = round(45 + 5 * Math.cos(this.t / 90) + (Math.random() - 0.5));
    // the first reading and every tenth are persisted: sendOnSubscribe has a value to replay from the start, and
    // Account → History has records of both resources to show
    const write = this.t % 10 === 1;
    client.publish('demo/temperature', JSON.stringify({ data: temperature, write }), { qos: 0 });
    client.publish('demo/humidity', JSON.stringify({ data: humidity, write }), { qos: 0 });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.client?.endAsync(true).catch(() => undefined);
    this.client = null;
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
