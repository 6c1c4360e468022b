/**
 * The MQTT/TLS listener, listening before its certificate exists. On a first run the TLS material takes a second
 * or more to make (two RSA keys); the port is bound at once and a connection that arrives before the material is
 * ready waits for it (its TLS handshake simply starts later), so nothing else of the sandbox — nor the desk that
 * embeds it — waits for the keys. `material` is asked for on the first connection (it may not be made yet: the
 * app's sandbox makes it only when needed or a few seconds after the desk is up).
 */
import { createServer as createNetServer, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import { type Tracked, track } from './listeners.js';
import type { TlsMaterial } from './tls-certs.js';

/** A client that connects but never completes its handshake is dropped after this. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

export function createDeferredTlsListener(
  material: () => Promise<TlsMaterial>,
  onSecure: (socket: TLSSocket, remoteAddress?: string) => void,
): Tracked {
  let context: SecureContext | null = null;
  let ready: Promise<SecureContext> | null = null;
  const contextReady = () => {
    if (!ready) {
      ready = material().then((m) => (context = createSecureContext({ cert: m.certPem, key: m.keyPem })));
      ready.catch(() => undefined); // reported by whoever makes the material; here, waiting sockets are closed
    }
    return ready;
  };

  const upgrade = (raw: Socket, ctx: SecureContext) => {
    if (raw.destroyed) return;
    const socket = new TLSSocket(raw, { isServer: true, secureContext: ctx });
    const timer = setTimeout(() => socket.destroy(), HANDSHAKE_TIMEOUT_MS);
    timer.unref();
    socket.once('secure', () => {
      clearTimeout(timer);
      onSecure(socket, raw.remoteAddress);
    });
    // a client that does not trust the CA, or speaks no TLS: its problem, not ours
    socket.on('error', () => socket.destroy());
  };

  const server = createNetServer((raw) => {
    raw.on('error', () => raw.destroy());
    if (context) upgrade(raw, context);
    else
      contextReady().then(
        (ctx) => upgrade(raw, ctx),
        () => raw.destroy(),
      );
  });
  return track(server);
}
