import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHeadlessHost, type RunningHost } from './headlessHost';

let host: RunningHost;

/** Screenshots are kept as test artifacts in e2e-artifacts/ (git-ignored; CI keeps the folder). */
const artifact = (name: string) => join(__dirname, '..', 'e2e-artifacts', name);

test.beforeAll(async () => {
  host = await startHeadlessHost();
});

test.afterAll(async () => {
  await host.stop();
});

test('the headless host refuses a request without the token', async ({ request }) => {
  const response = await request.get(`${host.origin}/`);
  expect(response.status()).toBe(401);
});

test('the console streams snapshots, arms and disarms through the UI', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('mode-badge')).toHaveText('DEMO');
  await expect(page.getByTestId('connection')).toHaveText('websocket open');

  // The snapshot stream is live: the heartbeat moves on by itself.
  const heartbeat = page.getByTestId('heartbeat');
  const first = await heartbeat.textContent();
  await expect(heartbeat).not.toHaveText(first ?? '', { timeout: 5000 });
  await expect(page.getByTestId('startup').locator('li')).toHaveCount(7);

  await expect(page.getByTestId('armed-state')).toHaveText('DISARMED');
  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('armed-state')).toHaveText('ARMED');
  // The demo venues are connected and fresh: armed means quoting.
  await expect(page.getByTestId('quoting-state')).toHaveText('QUOTING');
  await page.getByTestId('log-tab-engine').click();
  await expect(page.getByTestId('log-engine')).toContainText('command arm: armed');

  await page.screenshot({ path: artifact('console-armed.png'), fullPage: true });

  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('armed-state')).toHaveText('DISARMED');

  // The kill switch shortcut disarms from anywhere.
  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('armed-state')).toHaveText('ARMED');
  await page.keyboard.press('Control+k');
  await expect(page.getByTestId('armed-state')).toHaveText('DISARMED');
  await expect(page.getByTestId('log-engine')).toContainText(/command kill: kill: disarmed, \d+ orders? cancelled, none open on either venue/);

  await page.screenshot({ path: artifact('console.png'), fullPage: true });
});

test('a late viewer gets the current state at once', async ({ browser }) => {
  const first = await browser.newPage();
  await first.goto(host.url);
  await first.getByTestId('arm-toggle').click();
  await expect(first.getByTestId('armed-state')).toHaveText('ARMED');

  const late = await browser.newPage();
  await late.goto(host.url);
  await expect(late.getByTestId('armed-state')).toHaveText('ARMED');
  await late.getByTestId('kill').click();
  await expect(first.getByTestId('armed-state')).toHaveText('DISARMED');
});

test('the headless host writes its log through electron-log into the data folder', async () => {
  const log = join(host.dataDir, 'logs', 'main.log');
  expect(existsSync(log)).toBe(true);
  expect(readFileSync(log, 'utf8')).toContain('headless console listening');
});
