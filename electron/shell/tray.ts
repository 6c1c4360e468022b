/** Draws the core's tray model with Electron's Tray. All decisions are in the model and tray-menu.ts. */
import path from 'node:path';
import { Menu, nativeImage, nativeTheme, Tray } from 'electron';
import type { TrayModel } from '../api.js';
import { trayIconFile, trayMenuTemplate, type TrayActions } from './tray-menu.js';

export class AppTray {
  private readonly tray: Tray;
  private model: TrayModel | null = null;

  constructor(
    private readonly resourcesDir: string,
    private readonly actions: TrayActions,
  ) {
    this.tray = new Tray(this.icon({ icon: 'tray-idle' }));
    this.tray.setToolTip('Apiary');
    this.tray.on('click', () => actions.open());
    nativeTheme.on('updated', () => this.model && this.render(this.model));
  }

  render(model: TrayModel): void {
    this.model = model;
    this.tray.setImage(this.icon(model));
    this.tray.setToolTip(model.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(model, this.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }

  private icon(model: Pick<TrayModel, 'icon'>) {
    return nativeImage.createFromPath(path.join(this.resourcesDir, 'tray', trayIconFile(model, nativeTheme.shouldUseDarkColors)));
  }
}
