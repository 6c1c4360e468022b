/**
 * The tray menu as data, built from the core's TrayModel. Pure (only electron *types*), so it is unit
 * tested without the Electron binary; shell/tray.ts hands the result to Menu.buildFromTemplate.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { TrayModel } from '../api.js';

export interface TrayActions {
  open(): void;
  openAlert(alert: TrayModel['recentAlerts'][number]): void;
  toggleProfile(profileId: string, action: 'connect' | 'disconnect'): void;
  quickPublish(templateId: string): void;
  pause(kind: '1h' | 'tomorrow' | 'resume'): void;
  quit(): void;
}

export function trayMenuTemplate(model: TrayModel, actions: TrayActions): MenuItemConstructorOptions[] {
  const items: MenuItemConstructorOptions[] = [
    { label: model.reason, enabled: false },
    { type: 'separator' },
    { label: 'Open Apiary', click: () => actions.open() },
    { type: 'separator' },
  ];
  if (model.profiles.length) {
    items.push({ label: 'Connections', enabled: false });
    for (const p of model.profiles) {
      items.push({
        label: `${p.label}`,
        submenu: [
          {
            label: p.action === 'connect' ? 'Connect' : 'Disconnect',
            click: () => actions.toggleProfile(p.id, p.action),
          },
        ],
      });
    }
    items.push({ type: 'separator' });
  }
  items.push({
    label: model.unread ? `Recent alerts (${model.unread} unread)` : 'Recent alerts',
    enabled: model.recentAlerts.length > 0,
    submenu: model.recentAlerts.map((a) => ({ label: a.label, click: () => actions.openAlert(a) })),
  });
  if (model.templates.length) {
    items.push({
      label: 'Quick publish',
      submenu: model.templates.map((t) => ({ label: t.label, click: () => actions.quickPublish(t.id) })),
    });
  }
  items.push({
    label: model.paused ? model.paused.label : 'Pause notifications',
    submenu: model.paused
      ? [{ label: 'Resume notifications', click: () => actions.pause('resume') }]
      : model.pauseOptions.map((o) => ({ label: o.label, click: () => actions.pause(o.kind) })),
  });
  items.push({ type: 'separator' }, { label: 'Quit Apiary', click: () => actions.quit() });
  return items;
}

/** resources/tray/<icon>-<variant>.png: dark menu bars get the light-stroked (dark) variant. */
export function trayIconFile(model: Pick<TrayModel, 'icon'>, darkMenuBar: boolean): string {
  return `${model.icon}-${darkMenuBar ? 'dark' : 'light'}.png`;
}
