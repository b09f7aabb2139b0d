import { expect, test, type Page } from '@playwright/test';
import { gotoConsole, startHeadlessHost, type RunningHost } from './headlessHost';

// The console's layout at the sizes a trader runs it: nothing overflows sideways, an alarm floats
// instead of pushing the panels down, and the header keeps only what the trader acts on.
let host: RunningHost;
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  host = await startHeadlessHost({ DEMO_SEED: '5', DEMO_SPEED: '1' });
});

test.afterAll(async () => {
  await host.stop();
});

async function open(page: Page) {
  await gotoConsole(page, host);
  await expect(page.getByTestId('connection')).toHaveText('websocket open');
  await expect(page.getByTestId('book-L').locator('tr.lvl-bid').first()).toBeVisible({ timeout: 15_000 });
}

for (const [width, height] of [
  [1920, 1080],
  [1280, 720],
  [1024, 768]
] as const) {
  test(`${width}x${height}: no horizontal overflow, KILL and Arm on screen`, async ({ page }) => {
    await page.setViewportSize({ width, height });
    await open(page);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    for (const id of ['kill', 'arm-toggle']) {
      const box = await page.getByTestId(id).boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= width && box.y >= 0 && box.y + box.height <= height, `${id} on screen`).toBe(true);
    }
    // Scrolled to the bottom, KILL and Arm are still on top (header and status strip stick together).
    await page.evaluate('window.scrollTo(0, document.body.scrollHeight)');
    for (const id of ['kill', 'arm-toggle']) {
      const box = await page.getByTestId(id).boundingBox();
      const onTop = await page.evaluate(
        `document.elementFromPoint(${(box?.x ?? 0) + (box?.width ?? 0) / 2}, ${(box?.y ?? 0) + (box?.height ?? 0) / 2})?.closest('[data-testid="${id}"]') !== null`
      );
      expect(onTop, `${id} on top after scrolling`).toBe(true);
    }
    await page.evaluate('window.scrollTo(0, 0)');
    // Developer noise is not in the header (it lives in the venues panel).
    await expect(page.locator('header').getByTestId('heartbeat')).toHaveCount(0);
    await expect(page.getByTestId('health').getByTestId('heartbeat')).toContainText('snapshot #');
  });
}

test('an alarm floats over the corner: the panels do not move and KILL stays uncovered', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await open(page);
  // The grid's place in the document (the click below scrolls the page to the fault buttons).
  const gridTop = () => page.evaluate(`document.querySelector('main.grid').getBoundingClientRect().top + window.scrollY`);
  const gridBefore = await gridTop();
  await page.getByTestId('fault-L-drop').click();
  const alarm = page.getByTestId('alarm').first();
  await expect(alarm).toBeVisible({ timeout: 10_000 });
  expect(await gridTop()).toBe(gridBefore);
  const overlay = await page.locator('.alarms').boundingBox();
  const kill = await page.getByTestId('kill').boundingBox();
  expect(overlay && kill).toBeTruthy();
  const overlaps =
    overlay!.x < kill!.x + kill!.width &&
    kill!.x < overlay!.x + overlay!.width &&
    overlay!.y < kill!.y + kill!.height &&
    kill!.y < overlay!.y + overlay!.height;
  expect(overlaps, 'the alarm overlay covers KILL').toBe(false);
  // A confirmation opened while alarms show is above them: its buttons can be clicked.
  await page.getByTestId('flatten').click();
  await page.getByTestId('confirm-ok').click({ trial: true });
  await page.getByTestId('confirm-dialog').getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(page.getByTestId('confirm-dialog')).toHaveCount(0);
  // Folded to a small tab, what was under it can be reached; a new alarm unfolds it.
  await page.getByTestId('alarms-hide').click();
  await expect(page.getByTestId('alarm')).toHaveCount(0);
  await expect(page.getByTestId('alarms-show')).toContainText('alarm');
  await page.getByTestId('fault-E-drop').click();
  await expect(page.getByTestId('alarm').first()).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('alarms-show')).toHaveCount(0);
});

test("book figures line up: every price at the venue's tick decimals, every size at its step's, in tabular digits", async ({ page }) => {
  await open(page);
  for (const [venue, priceDecimals, sizeDecimals] of [
    ['L', 2, 4],
    ['E', 1, 3]
  ] as const) {
    const prices = await page.getByTestId(`book-${venue}`).locator('td.price').allTextContents();
    expect(prices.length).toBeGreaterThan(10);
    for (const price of prices) expect(price, `${venue} price`).toMatch(new RegExp(`^\\d+\\.\\d{${priceDecimals}}$`));
    const sizes = await page.getByTestId(`book-${venue}`).locator('span.size').allTextContents();
    for (const size of sizes) expect(size, `${venue} size`).toMatch(new RegExp(`^\\d+\\.\\d{${sizeDecimals}}$`));
  }
  const numeric = await page.evaluate(`getComputedStyle(document.querySelector('[data-testid="book-L"] td.price')).fontVariantNumeric`);
  expect(numeric).toContain('tabular-nums');
  // Spreads carry their unit, and net figures say their fees are the configured estimate.
  await expect(page.getByTestId('spreads')).toContainText('% of buy price');
  await expect(page.getByTestId('spreads')).toContainText('net (est. fees)');
});

test('a click on a panel title folds it, the fold is kept across a reload, and a second click unfolds it', async ({ page }) => {
  await open(page);
  const list = page.getByTestId('decisions-list');
  await expect(list).toBeVisible();
  await page.getByTestId('decisions').locator('h2').click();
  await expect(list).toBeHidden();
  await expect(page.getByTestId('decisions').locator('h2')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('connection')).toHaveText('websocket open');
  await expect(page.getByTestId('decisions-list')).toBeHidden();
  // A tab inside a title is not a fold.
  await page.getByTestId('log-tab-engine').click();
  await expect(page.getByTestId('log-engine')).toBeVisible();
  await page.getByTestId('decisions').locator('h2').click();
  await expect(page.getByTestId('decisions-list')).toBeVisible();
});
