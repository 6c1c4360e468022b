/** Desktop notifications for fired alerts (Electron). Flood control and pause live in the core. */
import { Notification } from 'electron';
import type { FiredAlert } from '../core/alerts/index.js';

export function showAlert(alert: FiredAlert, onClick: (alert: FiredAlert) => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title: alert.title, body: alert.body, silent: false });
  notification.on('click', () => onClick(alert));
  notification.show();
}

export function showNotice(title: string, body: string, onClick: () => void): void {
  if (!Notification.isSupported()) return;
  const notification = new Notification({ title, body });
  notification.on('click', onClick);
  notification.show();
}
