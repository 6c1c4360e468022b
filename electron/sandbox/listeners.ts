/** TCP/TLS listening with clear port errors, and closing that does not wait on idle sockets. */
import type { Server } from 'node:net';
import type { Socket } from 'node:net';

export interface Tracked {
  server: Server;
  sockets: Set<Socket>;
}

export function track(server: Server, event: 'connection' | 'secureConnection' = 'connection'): Tracked {
  const sockets = new Set<Socket>();
  server.on(event, (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return { server, sockets };
}

export function listen(server: Server, port: number, host: string, what: string, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE')
        reject(new Error(`${what} port ${port} on ${host} is in use: choose another with ${flag} (0 = any free port)`));
      else if (err.code === 'EACCES')
        reject(new Error(`${what} port ${port} on ${host} needs privileges: choose a port above 1023 with ${flag}`));
      else reject(new Error(`${what} cannot listen on ${host}:${port}: ${err.code ?? err.message}`));
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

export function closeTracked(t: Tracked): Promise<void> {
  return new Promise((resolve) => {
    if (!t.server.listening) return resolve();
    t.server.close(() => resolve());
    for (const socket of t.sockets) socket.destroy();
  });
}

/** The host to put in URLs: wildcard binds are reached on loopback; IPv6 literals need brackets. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
