import { describe, expect, it } from 'vitest';
import type { SessionState, SessionStatus } from '../../electron/api.js';
import { computeTrayModel, pauseUntil, type TrayInput } from '../../electron/core/alerts/tray-model.js';
import type { FiredAlert } from '../../electron/core/alerts/types.js';

const NOW = new Date(2024, 2, 5, 14, 30).getTime();
const profiles = [
  { id: 'home', name: 'Home' },
  { id: 'cloud', name: 'Cloud' },
  { id: 'lab', name: 'Lab' },
];
const session = (profileId: string, status: SessionStatus, extra: Partial<SessionState> = {}): SessionState => ({
  profileId,
  status,
  since: NOW,
  outbox: 0,
  ...extra,
});
const input = (sessions: SessionState[], extra: Partial<TrayInput> = {}): TrayInput => ({
  sessions,
  profiles,
  unread: 0,
  recentAlerts: [],
  pausedUntil: null,
  now: NOW,
  templates: [],
  ...extra,
});

describe('computeTrayModel', () => {
  it('idle when nothing is connected', () => {
    const model = computeTrayModel(input([session('home', 'idle'), session('cloud', 'closed')]));
    expect(model).toMatchObject({
      overall: 'idle',
      icon: 'tray-idle',
      reason: 'Not connected',
      tooltip: 'Apiary — not connected',
    });
    expect(model.profiles.map((p) => p.label)).toEqual(['Home — Not connected', 'Cloud — Disconnected', 'Lab — Not connected']);
    expect(model.profiles.every((p) => p.action === 'connect')).toBe(true);
  });

  it('connected when every wanted session is connected', () => {
    const model = computeTrayModel(
      input([session('home', 'connected'), session('cloud', 'connected'), session('lab', 'idle')], { unread: 1 }),
    );
    expect(model).toMatchObject({ overall: 'connected', icon: 'tray-connected', reason: '2 connected' });
    expect(model.tooltip).toBe('Apiary — 2 connected · 1 unread alert');
    expect(model.profiles[0]).toMatchObject({ stateLabel: 'Connected', action: 'disconnect' });
  });

  it('reconnecting when any session is reconnecting or connecting, with the next try in words', () => {
    const model = computeTrayModel(
      input(
        [session('home', 'connected'), session('cloud', 'connected'), session('lab', 'reconnecting', { retryAt: NOW + 4_200 })],
        { unread: 3 },
      ),
    );
    expect(model).toMatchObject({
      overall: 'reconnecting',
      icon: 'tray-reconnecting',
      reason: 'Lab reconnecting (next try in 5 s)',
    });
    expect(model.tooltip).toBe('Apiary — 2 connected, 1 reconnecting · 3 unread alerts');
    expect(model.profiles[2]?.label).toBe('Lab — Reconnecting (next try in 5 s)');
    expect(computeTrayModel(input([session('home', 'connecting')])).overall).toBe('reconnecting');
  });

  it('failed wins over everything, with the error in words', () => {
    const error = 'token rejected by mqtt.beebotte.com (CONNACK 5): check the channel token';
    const model = computeTrayModel(
      input([session('home', 'reconnecting'), session('cloud', 'failed', { error }), session('lab', 'connected')]),
    );
    expect(model).toMatchObject({ overall: 'failed', icon: 'tray-failed', reason: `Cloud failed: ${error}` });
    expect(model.profiles[1]).toMatchObject({ stateLabel: `Failed: ${error}`, action: 'connect' });
    expect(model.tooltip).toBe('Apiary — 1 connected, 1 reconnecting, 1 failed');
  });

  it('paused overrides the icon and keeps the reason; an expired pause is ignored', () => {
    const until = pauseUntil('1h', NOW);
    const model = computeTrayModel(input([session('home', 'failed', { error: 'x' })], { pausedUntil: until }));
    expect(model).toMatchObject({ overall: 'paused', connection: 'failed', icon: 'tray-paused', reason: 'Home failed: x' });
    expect(model.paused).toEqual({ until, label: 'Notifications paused until 15:30' });
    expect(model.tooltip).toBe('Apiary — 1 failed · paused until 15:30');
    expect(computeTrayModel(input([], { pausedUntil: NOW - 1 })).overall).toBe('idle');
  });

  it('lists at most 5 recent alerts newest first, templates, and pause options', () => {
    const alerts: FiredAlert[] = Array.from({ length: 8 }, (_, i) => ({
      id: `a${i}`,
      ruleId: 'r',
      ruleName: 'r',
      profileId: 'home',
      topic: 'home/t',
      messageId: i,
      title: `alert ${i}`,
      body: '',
      at: NOW - 1000 * (8 - i),
    }));
    const model = computeTrayModel(
      input([], { recentAlerts: alerts, templates: [{ id: 't1', name: 'Lamp on', topic: 'home/lamp' }] }),
    );
    expect(model.recentAlerts.map((a) => a.label)).toEqual(['alert 7', 'alert 6', 'alert 5', 'alert 4', 'alert 3']);
    expect(model.recentAlerts[0]?.messageId).toBe(7);
    expect(model.templates).toEqual([{ id: 't1', name: 'Lamp on', topic: 'home/lamp', label: 'Lamp on → home/lamp' }]);
    expect(model.pauseOptions.map((o) => o.label)).toEqual(['Pause notifications for 1 hour', 'Pause until tomorrow 08:00']);
  });
});

describe('pauseUntil', () => {
  it('1h is an hour from now', () => {
    expect(pauseUntil('1h', NOW)).toBe(NOW + 3_600_000);
  });

  it('tomorrow is 08:00 local the next morning', () => {
    expect(pauseUntil('tomorrow', NOW)).toBe(new Date(2024, 2, 6, 8, 0).getTime());
    expect(pauseUntil('tomorrow', new Date(2024, 2, 31, 23, 59).getTime())).toBe(new Date(2024, 3, 1, 8, 0).getTime());
  });

  it('in the small hours, "tomorrow" means this morning', () => {
    expect(pauseUntil('tomorrow', new Date(2024, 2, 6, 1, 15).getTime())).toBe(new Date(2024, 2, 6, 8, 0).getTime());
  });
});
