/**
 * The tray model: a pure function of session states, unread count, recent alerts and the pause.
 * The Electron shell draws it (icon, tooltip, menu); the headless host shows it in the page header.
 * State is always said in words too, never by color alone.
 */
import type { SessionState, SessionStatus } from '../../api.js';
import type { FiredAlert, PauseKind, TrayConnection, TrayModel, TrayOverall, TrayProfileEntry } from '../../api/alerts.js';
import { clip } from './template.js';

export type { PauseKind, TrayAlertEntry, TrayConnection, TrayIcon, TrayModel, TrayOverall, TrayProfileEntry } from '../../api/alerts.js';

export interface TrayInput {
  sessions: readonly SessionState[];
  profiles: readonly { id: string; name: string }[];
  unread: number;
  recentAlerts: readonly FiredAlert[];
  /** notifications paused until this time (ms), or null */
  pausedUntil: number | null;
  now: number;
  templates: readonly { id: string; name: string; topic: string }[];
}

export const MAX_TRAY_ALERTS = 5;
export const MAX_TRAY_TEMPLATES = 10;
/** Windows cuts tray tooltips at 127 characters. */
const MAX_TOOLTIP = 127;

export function computeTrayModel(input: TrayInput): TrayModel {
  const { now } = input;
  const names = new Map(input.profiles.map((p) => [p.id, p.name]));
  const byProfile = new Map(input.sessions.map((s) => [s.profileId, s]));
  const count = { connected: 0, reconnecting: 0, failed: 0 };
  for (const s of input.sessions) {
    if (s.status === 'connected') count.connected++;
    else if (s.status === 'connecting' || s.status === 'reconnecting') count.reconnecting++;
    else if (s.status === 'failed') count.failed++;
  }
  const connection: TrayConnection =
    count.failed > 0 ? 'failed' : count.reconnecting > 0 ? 'reconnecting' : count.connected > 0 ? 'connected' : 'idle';
  const pausedUntil = input.pausedUntil !== null && input.pausedUntil > now ? input.pausedUntil : null;
  const overall: TrayOverall = pausedUntil !== null ? 'paused' : connection;
  const paused =
    pausedUntil === null ? null : { until: pausedUntil, label: `Notifications paused until ${whenLabel(pausedUntil, now)}` };

  const profiles = input.profiles.map((p) => profileEntry(p, byProfile.get(p.id), now));
  const unread = Math.max(0, Math.floor(input.unread));
  return {
    overall,
    connection,
    icon: `tray-${overall}`,
    reason: reasonFor(connection, input.sessions, names, count.connected, now),
    tooltip: tooltipFor(count, unread, paused),
    unread,
    profiles,
    recentAlerts: [...input.recentAlerts]
      .sort((a, b) => b.at - a.at)
      .slice(0, MAX_TRAY_ALERTS)
      .map((a) => ({
        id: a.id,
        label: clip(a.title, 60),
        topic: a.topic,
        profileId: a.profileId,
        ...(a.messageId !== undefined ? { messageId: a.messageId } : {}),
        at: a.at,
      })),
    templates: input.templates
      .slice(0, MAX_TRAY_TEMPLATES)
      .map((t) => ({ id: t.id, name: t.name, topic: t.topic, label: clip(`${t.name} → ${t.topic}`, 60) })),
    paused,
    pauseOptions: (['1h', 'tomorrow'] as const).map((kind) => {
      const until = pauseUntil(kind, now);
      return { kind, until, label: kind === '1h' ? 'Pause notifications for 1 hour' : `Pause until ${whenLabel(until, now)}` };
    }),
  };
}

/**
 * When a pause ends. 'tomorrow' is 08:00 local the next morning; between midnight and 04:00 the
 * night still counts as "today", so it is 08:00 of the same date.
 */
export function pauseUntil(kind: PauseKind, now: number): number {
  if (kind === '1h') return now + 3_600_000;
  const date = new Date(now);
  if (date.getHours() >= 4) date.setDate(date.getDate() + 1);
  date.setHours(8, 0, 0, 0);
  return date.getTime();
}

const STATUS_WORDS: Record<SessionStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  failed: 'Failed',
  closed: 'Disconnected',
};

function profileEntry(profile: { id: string; name: string }, session: SessionState | undefined, now: number): TrayProfileEntry {
  const status: SessionStatus = session?.status ?? 'idle';
  let stateLabel = STATUS_WORDS[status];
  if (status === 'reconnecting' && session?.retryAt !== undefined && session.retryAt > now) {
    stateLabel += ` (next try in ${Math.ceil((session.retryAt - now) / 1000)} s)`;
  }
  if (status === 'failed' && session?.error) stateLabel += `: ${clip(session.error, 80)}`;
  const active = status === 'connected' || status === 'connecting' || status === 'reconnecting';
  return {
    id: profile.id,
    name: profile.name,
    status,
    stateLabel,
    label: clip(`${profile.name} — ${stateLabel}`, 100),
    action: active ? 'disconnect' : 'connect',
  };
}

function reasonFor(
  connection: TrayConnection,
  sessions: readonly SessionState[],
  names: Map<string, string>,
  connected: number,
  now: number,
): string {
  const nameOf = (s: SessionState) => names.get(s.profileId) ?? s.profileId;
  if (connection === 'failed') {
    const s = sessions.find((x) => x.status === 'failed')!;
    return clip(`${nameOf(s)} failed${s.error ? `: ${s.error}` : ''}`, 160);
  }
  if (connection === 'reconnecting') {
    const s = sessions.find((x) => x.status === 'reconnecting' || x.status === 'connecting')!;
    const retry = s.retryAt !== undefined && s.retryAt > now ? ` (next try in ${Math.ceil((s.retryAt - now) / 1000)} s)` : '';
    return `${nameOf(s)} ${s.status === 'connecting' ? 'connecting' : 'reconnecting'}${retry}`;
  }
  if (connection === 'connected') return `${connected} connected`;
  return 'Not connected';
}

function tooltipFor(
  count: { connected: number; reconnecting: number; failed: number },
  unread: number,
  paused: { label: string } | null,
): string {
  const states = [
    count.connected ? `${count.connected} connected` : '',
    count.reconnecting ? `${count.reconnecting} reconnecting` : '',
    count.failed ? `${count.failed} failed` : '',
  ].filter(Boolean);
  let text = `Apiary — ${states.length ? states.join(', ') : 'not connected'}`;
  if (unread > 0) text += ` · ${unread} unread alert${unread === 1 ? '' : 's'}`;
  if (paused) text += ` · ${paused.label.replace('Notifications paused', 'paused')}`;
  return clip(text, MAX_TOOLTIP);
}

/** "14:30" today, "tomorrow 08:00", or "2024-03-05 08:00" further out; local time. */
function whenLabel(at: number, now: number): string {
  const date = new Date(at);
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const today = new Date(now);
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (sameDay(date, today)) return time;
  if (sameDay(date, tomorrow)) return `tomorrow ${time}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
