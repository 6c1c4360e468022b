/**
 * The only bridge between the sandboxed renderer and the main process: window.apiary, typed by api.ts.
 * Compiled as CommonJS (sandboxed preloads cannot be ES modules). Nothing else is exposed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiaryBridge } from './api.js';

const IPC_CALL = 'apiary:call';
const IPC_EVENT = 'apiary:event';

type Reply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } };

const bridge: ApiaryBridge = {
  async call(method, params) {
    const reply = (await ipcRenderer.invoke(IPC_CALL, method, params)) as Reply;
    if (reply.ok) return reply.result as never;
    throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  },
  on(event, listener) {
    const handler = (_e: IpcRendererEvent, name: string, data: unknown) => {
      if (name === event) listener(data as never);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('apiary', bridge);
