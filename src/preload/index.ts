/**
 * The only bridge between the sandboxed renderer and the main process: subscribe to the engine's
 * stream and send commands. No Node API, no key and no file path ever crosses it.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC, type ConsoleApi, type HostMessage } from '../shared/contract';

const api: ConsoleApi = {
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, message: HostMessage) => listener(message);
    ipcRenderer.on(IPC.message, handler);
    ipcRenderer.send(IPC.subscribe);
    return () => {
      ipcRenderer.off(IPC.message, handler);
      ipcRenderer.send(IPC.unsubscribe);
    };
  },
  command(command) {
    return ipcRenderer.invoke(IPC.command, command);
  },
  query(request) {
    return ipcRenderer.invoke(IPC.query, request);
  }
};

contextBridge.exposeInMainWorld('lx', api);
