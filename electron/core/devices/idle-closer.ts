/**
 * Closes a held pairing port after a while without a call from the wizard (a reloaded page or a closed tab
 * never says goodbye); otherwise the port would stay locked until the app restarts.
 */
export const PAIRING_IDLE_MS = 5 * 60_000;

/** Timers for the idle close (tests inject their own). */
export interface PairingTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: PairingTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.(); // an idle pairing must not keep a headless process alive
    return t;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class IdleCloser {
  private readonly handles = new Map<string, unknown>();
  private readonly timers: PairingTimers;
  private readonly ms: number;

  constructor(
    timers: PairingTimers | undefined,
    ms: number | undefined,
    private readonly onIdle: (id: string, minutes: number) => void,
  ) {
    this.timers = timers ?? realTimers;
    this.ms = ms ?? PAIRING_IDLE_MS;
  }

  /** (Re)starts the clock of one pairing. */
  start(id: string): void {
    this.stop(id);
    this.handles.set(
      id,
      this.timers.set(() => {
        this.handles.delete(id);
        this.onIdle(id, Math.round(this.ms / 60_000));
      }, this.ms),
    );
  }

  /** Stops it while a call runs, or when the pairing ends. */
  stop(id: string): void {
    const handle = this.handles.get(id);
    if (handle === undefined) return;
    this.timers.clear(handle);
    this.handles.delete(id);
  }
}
