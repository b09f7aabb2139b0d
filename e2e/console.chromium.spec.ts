import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

test('a page opened without the token gets nothing from the engine and says why', async ({ page }) => {
  // The static page holds no secret; its socket is refused without the token (never in a cookie).
  await page.goto(`${host.origin}/`);
  await expect(page.getByTestId('unauthorized')).toContainText('needs its access token');
  await expect(page.getByTestId('connection')).toHaveText('websocket unauthorized');
  await expect(page.getByTestId('mode-badge')).toHaveText('…');
  expect((await page.context().cookies()).length).toBe(0);
});

test('a server on another local port never receives the token (no cookie, no URL)', async ({ page }) => {
  // Cookies are shared by every port of 127.0.0.1: the token must not live in one.
  const seen: Array<{ url: string; cookie: string | undefined }> = [];
  const neighbour = createServer((request, response) => {
    seen.push({ url: request.url ?? '', cookie: request.headers.cookie });
    response.end('neighbour');
  });
  await new Promise<void>((resolve) => neighbour.listen(0, '127.0.0.1', resolve));
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('connection')).toHaveText('websocket open');
    const { port } = neighbour.address() as AddressInfo;
    await page.goto(`http://127.0.0.1:${port}/`);
    await expect(page.locator('body')).toHaveText('neighbour');
    expect(seen.length).toBeGreaterThan(0);
    for (const request of seen) {
      expect(request.cookie).toBeUndefined();
      expect(request.url).not.toContain(host.token);
    }
  } finally {
    await new Promise((resolve) => neighbour.close(resolve));
  }
});

test('until the first snapshot (a slow tunnel) the page says the state is unknown and offers only KILL', async ({ page }) => {
  // The engine's frames are held back 2 s, as a slow SSH tunnel would; the page's go through.
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.routeWebSocket(/\/ws$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => void released.then(() => ws.send(message)));
  });
  await page.goto(host.url);
  await expect(page.getByTestId('state-unknown')).toContainText('state (armed, orders, positions) is unknown');
  await expect(page.getByTestId('armed-state')).toHaveText('STATE UNKNOWN');
  await expect(page.getByTestId('quoting-state')).toHaveText('connecting…');
  await expect(page.getByTestId('arm-toggle')).toBeDisabled();
  await expect(page.getByTestId('kill')).toBeEnabled();
  // No guessed figures: no book, no position card.
  await expect(page.getByTestId('book-L')).toHaveCount(0);
  release();
  await expect(page.getByTestId('state-unknown')).toHaveCount(0);
  await expect(page.getByTestId('armed-state')).toHaveText(/^(ARMED|DISARMED)$/);
  await expect(page.getByTestId('book-L')).toBeVisible();
});

test('the token leaves the address bar once read, and a reload keeps the console connected', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('connection')).toHaveText('websocket open');
  expect(page.url()).not.toContain('token');
  await page.reload();
  await expect(page.getByTestId('connection')).toHaveText('websocket open');
  await expect(page.getByTestId('mode-badge')).toHaveText('DEMO');
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
