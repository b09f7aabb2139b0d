/**
 * A stale or dead book does not drive the console: the book stays on screen greyed with the true
 * reason and its age, and the spreads that depend on it are blanked (never lit as qualifying).
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHeadlessHost } from './headlessHost';

test('a silent Extended feed: the book greys with STALE and its age, spreads are blanked; it comes back on resume', async ({ page }) => {
  test.setTimeout(60_000);
  const host = await startHeadlessHost({ DEMO_SEED: '5', STALE_BOOK_MS: '1500' });
  try {
    await page.goto(host.url);
    await expect(page.getByTestId('connection')).toHaveText('websocket open');
    await expect(page.getByTestId('startup').locator('li.step-done')).toHaveCount(7, { timeout: 15_000 });
    await expect(page.getByTestId('book-state-E')).toHaveCount(0);
    await page.getByTestId('fault-E-stale').click();
    await expect(page.getByTestId('book-state-E')).toContainText('STALE', { timeout: 10_000 });
    await expect(page.getByTestId('spreads-untrusted')).toContainText('E book stale');
    await expect(page.locator('[data-testid^="spread-"].qualifying')).toHaveCount(0);
    // The last book stays on screen (greyed), not collapsed to nothing.
    await expect(page.getByTestId('book-E').locator('tr.lvl').first()).toBeVisible();
    await page.screenshot({ path: join(__dirname, '..', 'e2e-artifacts', 'stale-book.png') });
    await page.getByTestId('fault-E-resume').click();
    await expect(page.getByTestId('book-state-E')).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByTestId('spreads-untrusted')).toHaveCount(0);
  } finally {
    await host.stop();
  }
});
