import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// One build serves both hosts: `out/main/index.js` is the Electron shell and
// `out/main/headless.js` runs the same engine host under plain Node. Neither
// build needs the Electron binary, so CI can build on a machine without it.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          headless: resolve(__dirname, 'src/main/headless/cli.ts'),
          emulator: resolve(__dirname, 'src/main/emulator/cli.ts'),
          replay: resolve(__dirname, 'src/main/replay/cli.ts'),
          preflight: resolve(__dirname, 'src/main/preflight/cli.ts')
        }
      }
    }
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') }
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') }
      }
    },
    plugins: [react()]
  }
});
