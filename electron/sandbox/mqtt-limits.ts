/**
 * What one MQTT socket can make the sandbox hold in memory. mqtt-packet buffers a packet's whole body
 * before parsing it, whatever length the fixed header announces (up to 256 MiB), and aedes waits 30 s for a
 * CONNECT: a few sockets announcing huge CONNECTs and trickling them could take hundreds of MiB from the
 * app's core process. So a packet whose announced length is over the limit closes the connection as soon
 * as that length is read, before its body is buffered, and a CONNECT must be complete within a few seconds.
 */

/** Before a CONNECT with valid credentials: room for a client id, credentials and a will. */
export const MAX_PACKET_BYTES_BEFORE_LOGIN = 64 * 1024;
/** After login: a message body as large as REST and WebSocket accept, plus room for the topic and header. */
export function maxPacketBytesAfterLogin(maxBodyBytes: number): number {
  return maxBodyBytes + 4 * 1024;
}
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** The parts of an mqtt-packet 9 Parser this module wraps. */
interface ParserInternals {
  packet: { length: number; cmd?: string };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

/**
 * Makes the parser fail (aedes then closes the connection) on a packet announced larger than `limit()`.
 * `onTooLarge` is told first, for the log.
 */
export function capPacketSize(parser: unknown, limit: () => number, onTooLarge: (cmd: string, length: number) => void): void {
  const p = parser as ParserInternals;
  if (typeof p._parseLength !== 'function' || typeof p._emitError !== 'function') {
    throw new Error('mqtt-packet internals changed: the sandbox needs Parser._parseLength and _emitError (mqtt-packet 9)');
  }
  const parseLength = p._parseLength;
  p._parseLength = function guardedParseLength(this: ParserInternals): boolean {
    const complete = parseLength.call(this);
    if (complete && this.packet.length > limit()) {
      onTooLarge(this.packet.cmd ?? 'packet', this.packet.length);
      this._emitError(new Error(`packet of ${this.packet.length} bytes is over the limit of ${limit()}`));
      return false;
    }
    return complete;
  };
}
