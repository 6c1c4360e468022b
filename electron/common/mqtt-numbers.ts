import mqttPacket from 'mqtt-packet';

/**
 * mqtt-packet (under mqtt.js and aedes: one copy for the core's sessions, the demo sensor and the sandbox's broker)
 * fills a cache of 65,536 two-byte Buffers on the first packet it writes: ~40 ms of CPU on the startup path of a
 * first reading and ~7.5 MB of heap kept for the process's life (an idle tray app's RSS). Without it each packet
 * written allocates its 2-byte numbers (topic length, message id) from Node's buffer pool instead: tens of
 * nanoseconds, and the core's hot path reads messages rather than writing them.
 */
export function skipMqttNumberCache(): void {
  mqttPacket.writeToStream.cacheNumbers = false;
}
