/**
 * Fired alerts as notifications in a browser (the headless host's page). In Electron (window.apiary)
 * this does nothing: the main process shows native notifications and routes their clicks.
 *
 * In a browser: the Notification API when the user granted it (asked only from a button, never on
 * load), otherwise an in-page toast (whoever mounts the toasts subscribes with onToast).
 */
import type { FiredAlert } from '../../../electron/api';
import { api } from './api';

export type Permission = NotificationPermission | 'unsupported';
type AlertListener = (alert: FiredAlert) => void;

const toastListeners = new Set<AlertListener>();
let opener: AlertListener = () => undefined;
let started = false;

/** Electron draws its own notifications; the page must not add a second one. */
export function inElectron(): boolean {
  return typeof window !== 'undefined' && Boolean(window.apiary);
}

export function notificationPermission(): Permission {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.permission;
}

/** Asks for desktop notifications; call from a click (browsers ignore or punish unprompted asks). */
export async function enableDesktopNotifications(): Promise<Permission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** In-page toasts: called with each alert that could not be shown as a desktop notification. */
export function onToast(listener: AlertListener): () => void {
  toastListeners.add(listener);
  return () => toastListeners.delete(listener);
}

/**
 * Subscribes to alert.fired once (later calls only replace the click handler).
 * `open` runs when the user clicks a notification or a toast: show that alert's message.
 */
export function startNotifications(open?: AlertListener): void {
  if (open) opener = open;
  if (started || inElectron()) return;
  started = true;
  api.on('alert.fired', (alert) => show(alert));
}

/** The click handler of a toast (same path as a desktop notification's click). */
export function openAlert(alert: FiredAlert): void {
  opener(alert);
}

function show(alert: FiredAlert): void {
  if (notificationPermission() === 'granted' && desktop(alert)) return;
  for (const listener of toastListeners) listener(alert);
}

function desktop(alert: FiredAlert): boolean {
  try {
    // title and body are plain text for the OS: nothing in a payload can become markup here
    const n = new Notification(alert.title, { body: alert.body, tag: alert.id });
    n.onclick = () => {
      window.focus();
      n.close();
      opener(alert);
    };
    return true;
  } catch {
    // e.g. Chrome on Android only allows notifications from a service worker: fall back to a toast
    return false;
  }
}
