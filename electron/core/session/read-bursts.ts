import type { Duplex } from 'node:stream';

/** How long a busy connection's socket is left unread after a read: the most a message waits for it. */
export const BURST_PAUSE_MS = 5;

/** What Node's stream handle offers (net.Socket and tls.TLSSocket `_handle`); absent on other streams. */
interface StreamHandle {
  reading: boolean;
  readStop(): number;
  readStart(): number;
}

/**
 * Under a flood, reads a connection's socket in bursts: after a read that came less than `pauseMs` after the
 * previous one, the socket is left unread for `pauseMs`, so the next read takes everything that arrived
 * meanwhile in one go. A broker sends each message in its own TCP segment: read as they come, 10,000 msg/s
 * cost a wake-up, a read() and a pass through mqtt.js's stream plumbing each, about 10 µs a message of
 * the ~14 a bare mqtt.js subscriber spends here (test/bench/README.md). In bursts of ~50 that share goes
 * to ~1 µs. A quiet connection (a sensor every second) is never paused: its reads are further apart than
 * `pauseMs`, so a lone message is never delayed, and one in a flood by at most `pauseMs`.
 *
 * Node's stream API cannot do it: pause() keeps reading into the stream's buffer (up to its high-water mark),
 * so the socket's handle is stopped directly. `reading` is left true, so Node's own backpressure keeps its
 * say: when it stops the handle (a full buffer) it sets `reading` to false, and this does not restart it.
 * A stream without such a handle (MQTT over WebSocket) is read as it comes. Returns a function that stops.
 */
export function readInBursts(stream: Duplex, pauseMs = BURST_PAUSE_MS): () => void {
  let lastRead = -Infinity;
  let timer: NodeJS.Timeout | null = null;

  const resume = (handle: StreamHandle): void => {
    timer = null;
    // a closed socket has no handle (or a new one); a handle Node stopped itself (backpressure) is Node's to restart
    if (stream.destroyed || handleOf(stream) !== handle || !handle.reading) return;
    handle.readStart();
  };

  const onData = (): void => {
    if (timer) return;
    const now = performance.now();
    const busy = now - lastRead < pauseMs;
    lastRead = now;
    if (!busy) return;
    const handle = handleOf(stream);
    if (!handle?.reading) return;
    handle.readStop();
    timer = setTimeout(resume, pauseMs, handle);
  };

  const stop = (): void => {
    stream.off('data', onData);
    stream.off('close', stop);
    if (!timer) return;
    clearTimeout(timer);
    const handle = handleOf(stream);
    timer = null;
    if (handle) resume(handle);
  };

  stream.on('data', onData);
  stream.once('close', stop);
  return stop;
}

function handleOf(stream: Duplex): StreamHandle | null {
  const handle = (stream as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return handle && typeof handle.readStop === 'function' && typeof handle.readStart === 'function' && typeof handle.reading === 'boolean'
    ? (handle as StreamHandle)
    : null;
}
