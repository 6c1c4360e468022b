/**
 * Desktop notifications for fired alerts and plugged devices (Electron). Flood control and pause live in
 * the core. Takes Electron's Notification class as a parameter, so it is unit tested without the binary.
 */
import type { NotificationConstructorOptions } from 'electron';
import type { FiredAlert } from '../api.js';

/** The part of Electron's Notification this uses. */
export interface NotificationLike {
  on(event: 'click' | 'close' | 'failed', listener: () => void): unknown;
  show(): void;
}

export interface NotificationClass {
  new (options: NotificationConstructorOptions): NotificationLike;
  isSupported(): boolean;
}

/** Notifications kept referenced at once; past this the oldest are let go (a platform may never say "closed"). */
export const MAX_LIVE_NOTIFICATIONS = 100;

export class Notifier {
  /**
   * Every shown notification stays referenced until it is clicked, closed or fails: one the garbage
   * collector takes loses its click handler, and the click does nothing.
   */
  private readonly live = new Set<NotificationLike>();

  constructor(private readonly NotificationImpl: NotificationClass) {}

  /** how many notifications are held (for tests) */
  get liveCount(): number {
    return this.live.size;
  }

  showAlert(alert: FiredAlert, onClick: (alert: FiredAlert) => void): void {
    this.show({ title: alert.title, body: alert.body, silent: false }, () => onClick(alert));
  }

  showNotice(title: string, body: string, onClick: () => void): void {
    this.show({ title, body }, onClick);
  }

  private show(options: NotificationConstructorOptions, onClick: () => void): void {
    if (!this.NotificationImpl.isSupported()) return;
    const notification = new this.NotificationImpl(options);
    const release = () => this.live.delete(notification);
    notification.on('click', () => {
      release();
      onClick();
    });
    notification.on('close', release);
    notification.on('failed', release);
    this.live.add(notification);
    if (this.live.size > MAX_LIVE_NOTIFICATIONS) this.live.delete(this.live.values().next().value!);
    notification.show();
  }
}
