/**
 * The thin Electron shell: a window, IPC wiring and the app lifecycle. Everything else (config,
 * engine, host) is plain Node code shared with the headless host.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { IPC } from '../shared/contract';
import { createApp, type App } from './app';
import { ConfigError, loadConfig } from './config/config';
import { hideSqliteExperimentalWarning } from './journal/sqliteJournal';
import { createIpcHandlers } from './electron/ipcHandlers';
import { isTrustedSender, mainWindowWebPreferences, rendererIndexPath, type SenderInfo } from './electron/webPreferences';

hideSqliteExperimentalWarning();

const indexFile = rendererIndexPath(__dirname);
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

function senderOf(event: IpcMainEvent | IpcMainInvokeEvent): SenderInfo {
  const frame = event.senderFrame;
  return { frameUrl: frame?.url, isMainFrame: !!frame && frame === event.sender.mainFrame };
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1600,
    height: 1000,
    minWidth: 1100,
    minHeight: 700,
    show: false,
    backgroundColor: '#0d1117',
    icon: join(__dirname, '../../resources/icon.png'),
    title: 'LX Hedge',
    webPreferences: mainWindowWebPreferences(join(__dirname, '../preload/index.js'))
  });
  window.once('ready-to-show', () => window.show());
  // The console never opens other pages or windows.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  if (devServerUrl) void window.loadURL(devServerUrl);
  else void window.loadFile(indexFile);
  return window;
}

function wireIpc(lx: App): void {
  const handlers = createIpcHandlers(
    lx.host,
    (sender) => isTrustedSender(sender, { indexFile, devServerUrl }),
    IPC.message,
    (what, sender) => lx.log.warn(`ipc ${what} refused from ${sender.frameUrl ?? 'unknown frame'}`)
  );
  ipcMain.handle(IPC.command, (event, command: unknown) => handlers.command(senderOf(event), command));
  ipcMain.handle(IPC.query, (event, request: unknown) => handlers.query(senderOf(event), request));
  ipcMain.on(IPC.subscribe, (event) => {
    const contents = event.sender;
    handlers.subscribe(senderOf(event), {
      id: contents.id,
      send: (channel, message) => contents.send(channel, message),
      isDestroyed: () => contents.isDestroyed(),
      onceDestroyed: (listener) => contents.once('destroyed', listener)
    });
  });
  ipcMain.on(IPC.unsubscribe, (event) => {
    const contents = event.sender;
    handlers.unsubscribe(senderOf(event), {
      id: contents.id,
      send: () => undefined,
      isDestroyed: () => contents.isDestroyed(),
      onceDestroyed: () => undefined
    });
  });
}

/** The console needs no browser permission but notifications, and opens nothing else. */
function hardenSessions(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(permission === 'notifications'));
  session.defaultSession.setPermissionCheckHandler((_contents, permission) => permission === 'notifications');
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

async function main(): Promise<void> {
  await app.whenReady();
  hardenSessions();
  let lx: App;
  try {
    const config = loadConfig({ env: process.env, envFile: join(process.cwd(), '.env'), defaultDataDir: app.getPath('userData') });
    lx = await createApp(config);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : String(error);
    dialog.showErrorBox('LX Hedge cannot start', message);
    app.exit(1);
    return;
  }
  lx.guardProcess();
  wireIpc(lx);
  await lx.start();
  lx.log.info(`console started (${lx.config.mode})`);
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => {
    void lx.stop().finally(() => app.quit());
  });
}

void main();
