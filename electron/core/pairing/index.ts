/** USB-serial pairing: port discovery, the Improv codec and client, the Apiary MQTT RPCs, Tasmota's console, the pipeline. */
export * from './errors.js';
export * from './improv-codec.js';
export * from './improv-client.js';
export * from './serial-port.js';
export * from './discovery.js';
export * from './tasmota.js';
export * from './device-broker.js';
export * from './board.js';
export * from './flow.js';
export * from './broker-first-message.js';
