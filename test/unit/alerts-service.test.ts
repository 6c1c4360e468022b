import type * as Database from '../../electron/core/store/sqlite.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventPayloads } from '../../electron/api.js';
import { AlertService } from '../../electron/core/alerts/service.js';
import { EventBus } from '../../electron/core/events.js';
import { openDatabase } from '../../electron/core/store/database.js';

const HOUR = 3_600_000;
const silentLog = { info: () => {}, warn: () => {}, error: () => {} };

describe('AlertService: the pause', () => {
  let db: Database.Database;
  const clock = { t: new Date(2024, 2, 5, 12, 0).getTime(), now: () => clock.t };
  const services: AlertService[] = [];
  const start = () => {
    const bus = new EventBus();
    const trays: EventPayloads['tray.model'][] = [];
    bus.subscribe((event, data) => {
      if (event === 'tray.model') trays.push(data as EventPayloads['tray.model']);
    });
    const service = new AlertService({ db, bus, clock, log: silentLog, sessions: () => [], profiles: () => [], templates: () => [] });
    services.push(service);
    return { service, trays };
  };
  /** the fake clock and the timers move together, as real time would */
  const pass = (ms: number) => {
    clock.t += ms;
    vi.advanceTimersByTime(ms);
  };

  beforeEach(() => {
    vi.useFakeTimers();
    db = openDatabase(':memory:');
  });
  afterEach(() => {
    for (const s of services.splice(0)) s.close();
    vi.useRealTimers();
    db.close();
  });

  it('sends the tray model again when the pause ends', () => {
    const { service, trays } = start();
    expect(service.pause('1h').overall).toBe('paused');
    pass(HOUR - 1000);
    expect(trays.map((m) => m.overall)).toEqual(['paused']);
    pass(1000 + 50); // the end of the pause, and the 50 ms tray coalescing
    expect(trays.map((m) => m.overall)).toEqual(['paused', 'idle']);
    expect(trays.at(-1)?.paused).toBeNull();
    expect(service.trayModel().overall).toBe('idle');
  });

  it('ends the pause on the tick when a sleep delayed its timer', () => {
    const { trays, service } = start();
    service.pause('1h');
    vi.advanceTimersByTime(HOUR + 100); // the timer fires, but the clock says it is early
    expect(trays.map((m) => m.overall)).toEqual(['paused']);
    clock.t += HOUR;
    vi.advanceTimersByTime(5000 + 50); // the next tick notices
    expect(trays.map((m) => m.overall)).toEqual(['paused', 'idle']);
  });

  it('keeps the pause across a restart, and forgets it once resumed or over', () => {
    const first = start();
    first.service.pause('tomorrow');
    const until = first.service.trayModel().paused?.until;
    first.service.close();
    const second = start();
    expect(second.service.trayModel().paused?.until).toBe(until);
    second.service.pause('resume');
    second.service.close();
    expect(start().service.trayModel().paused).toBeNull();

    const third = start();
    third.service.pause('1h');
    third.service.close();
    clock.t += 2 * HOUR; // the app was not running when the pause ended
    const fourth = start();
    expect(fourth.service.trayModel().paused).toBeNull();
    expect(db.prepare("SELECT count(*) AS n FROM settings WHERE key = 'alerts.pausedUntil'").get()).toEqual({ n: 0 });
  });
});
