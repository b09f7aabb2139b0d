import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Playwright never downloads a browser here: it drives the system Chromium (Debian's package).
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  projects: [
    {
      name: 'chromium',
      testMatch: /.*\.chromium\.spec\.ts/,
      use: {
        browserName: 'chromium',
        viewport: { width: 1600, height: 1000 },
        launchOptions: {
          executablePath: chromium,
          // Root in a container needs --no-sandbox; the rest keeps Chromium off the (closed) network.
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync'
          ]
        }
      }
    },
    { name: 'electron', testMatch: /.*\.electron\.spec\.ts/ },
    // `npm run screenshots` only (it writes the README's pictures into docs/).
    ...(process.env.LX_SCREENSHOTS === '1'
      ? [
          {
            name: 'screenshots',
            testMatch: /.*\.screenshots\.ts/,
            use: { browserName: 'chromium' as const, launchOptions: { executablePath: chromium, args: ['--no-sandbox', '--disable-gpu'] } }
          }
        ]
      : [])
  ]
});
