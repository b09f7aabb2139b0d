import type { ConsoleApi } from '../shared/contract';

declare global {
  interface Window {
    /** Present inside Electron (exposed by the preload); absent in a browser (headless mode). */
    lx?: ConsoleApi;
  }
}

export {};
