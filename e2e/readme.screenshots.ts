import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHeadlessHost, type RunningHost } from './headlessHost';

// `npm run screenshots`: the README's pictures of the console, quoting on the demo, at the two
// sizes a trader's screens have. Not part of `npm test` (it writes into docs/).
let host: RunningHost;
test.beforeAll(async () => {
  host = await startHeadlessHost({ DEMO_SEED: '11', DEMO_SPEED: '3', MIN_SPREAD: '0.01', SPREAD_TP: '0.01' });
});
test.afterAll(async () => {
  await host.stop();
});

test('console screenshots at 1920x1080 and 1280x720, quoting on the demo', async ({ page }) => {
  test.setTimeout(60_000);
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(host.url);
  await expect(page.getByTestId('startup').locator('li.step-done')).toHaveCount(7, { timeout: 15_000 });
  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('fill-count')).not.toHaveText('0', { timeout: 30_000 });
  await expect(page.getByTestId('our-order').first()).toBeVisible({ timeout: 20_000 });
  for (const [width, height] of [
    [1920, 1080],
    [1280, 720]
  ] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: join(__dirname, '..', 'docs', `console-${width}x${height}.png`) });
  }
  await page.getByTestId('kill').click();
});
