import type { MessageDTO } from '../../api.js';
import type { IngestObserver } from '../ingest/ingest.js';

interface Waiter {
  profileId: string;
  topic: string;
  resolve(message: MessageDTO): void;
}

/**
 * Lets pairing wait for a device's first message through the profile's own live session: an ingest
 * observer that resolves waiters by profile + topic. Costs one Set lookup per message while idle.
 */
export class FirstMessageWaiters implements IngestObserver {
  private readonly waiters = new Set<Waiter>();

  observe(message: MessageDTO): void {
    if (this.waiters.size === 0) return;
    for (const waiter of this.waiters) {
      if (waiter.profileId === message.profileId && waiter.topic === message.topic) {
        this.waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  }

  /**
   * Listens at once; the timeout counts from when `armed` resolves (the device's MQTT step is done),
   * so a slow MQTT connect does not eat the wait. Default: from now.
   */
  wait(
    profileId: string,
    topic: string,
    timeoutMs: number,
    signal: AbortSignal,
    armed: Promise<void> = Promise.resolve(),
  ): Promise<MessageDTO> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let settled = false;
      const settle = () => {
        settled = true;
        if (timer) clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        profileId,
        topic,
        resolve: (m) => {
          settle();
          resolve(m);
        },
      };
      if (signal.aborted) return reject(new Error('stopped waiting for the first message'));
      signal.addEventListener('abort', () => {
        if (settled) return;
        settle();
        reject(new Error('stopped waiting for the first message'));
      });
      this.waiters.add(waiter);
      void armed.then(() => {
        if (settled) return;
        timer = setTimeout(() => {
          settle();
          reject(
            new Error(
              `no message on ${topic} within ${Math.round(timeoutMs / 1000)} s: the device joined MQTT but did not publish — check its channel and resource`,
            ),
          );
        }, timeoutMs);
      });
    });
  }
}
