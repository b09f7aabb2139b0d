/**
 * The main window's security settings and the IPC sender check, kept free of runtime Electron
 * imports so that unit tests can assert them without an Electron binary.
 */
import { join } from 'node:path';

export function mainWindowWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false
  } as const;
}

export function rendererIndexPath(mainDir: string): string {
  return join(mainDir, '../renderer/index.html');
}

export interface SenderInfo {
  /** URL of the frame that sent the message (event.senderFrame.url). */
  frameUrl: string | undefined;
  /** Whether that frame is its window's top frame. */
  isMainFrame: boolean;
}

/**
 * Only our own renderer, in its top frame, may talk to the engine: the packaged file, or the
 * electron-vite dev server when one is running.
 */
export function isTrustedSender(sender: SenderInfo, trusted: { indexFile: string; devServerUrl?: string }): boolean {
  if (!sender.isMainFrame || !sender.frameUrl) return false;
  let url: URL;
  try {
    url = new URL(sender.frameUrl);
  } catch {
    return false;
  }
  if (url.protocol === 'file:') {
    return decodeURIComponent(url.pathname) === trusted.indexFile.replace(/\\/g, '/').replace(/^([A-Za-z]):/, '/$1:');
  }
  if (trusted.devServerUrl) {
    return url.origin === new URL(trusted.devServerUrl).origin;
  }
  return false;
}
