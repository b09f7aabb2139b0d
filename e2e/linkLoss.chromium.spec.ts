/**
 * The console tells the truth when the engine link is lost: the host is stopped under an open page,
 * which must say so at once (banner, panels greyed, ages still counting), then find the restarted
 * host by itself (the token is kept in the data folder, so the open URL stays valid).
 */
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startHeadlessHost } from './headlessHost';

test('engine link lost: a banner, greyed panels and counting ages, then reconnection to the restarted host', async ({ page }) => {
  test.setTimeout(60_000);
  const first = await startHeadlessHost();
  const port = new URL(first.url).port;
  try {
    await page.goto(first.url);
    await expect(page.getByTestId('connection')).toHaveText('websocket open');
    await expect(page.getByTestId('link-lost')).toHaveCount(0);
    await expect(page.getByTestId('book-L')).toContainText('age');
  } finally {
    await first.stop();
  }
  // The host is gone: the page says so, whatever the last snapshot said.
  await expect(page.getByTestId('link-lost')).toContainText('ENGINE LINK LOST since');
  await expect(page.getByTestId('link-lost')).toContainText('orders may still be live');
  await expect(page.locator('.app.link-lost')).toHaveCount(1);
  const age = async () => Number(/age (\d+) ms/.exec((await page.getByTestId('book-L').textContent()) ?? '')?.[1] ?? Number.NaN);
  const before = await age();
  await expect.poll(age, { timeout: 5000 }).toBeGreaterThan(before + 900);
  await page.screenshot({ path: join(__dirname, '..', 'e2e-artifacts', 'link-lost.png') });

  // The same host back on the same port and data folder: same token, the page reconnects by itself.
  const second = await startHeadlessHost({ HEADLESS_PORT: port }, { dataDir: first.dataDir });
  try {
    expect(second.token).toBe(first.token);
    await expect(page.getByTestId('link-lost')).toHaveCount(0, { timeout: 15_000 });
    await expect(page.getByTestId('connection')).toHaveText('websocket open');
  } finally {
    await second.stop();
  }
});
