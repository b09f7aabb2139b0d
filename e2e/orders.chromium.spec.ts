import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { gotoConsole, startHeadlessHost, type RunningHost } from './headlessHost';
import { sendManualOrder } from './consoleActions';

// The open-orders table and the blotter, on the demo through the real adapters.
let host: RunningHost;
test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // A wide REPRICE_TICK keeps a quote resting while the spread moves, so the trader can act on it.
  host = await startHeadlessHost({ DEMO_SEED: '11', DEMO_SPEED: '1', MIN_SPREAD: '0.01', SPREAD_TP: '0.01', REPRICE_TICK: '0.05' });
});

test.afterAll(async () => {
  await host.stop();
});

async function open(page: Page) {
  await gotoConsole(page, host);
  await expect(page.getByTestId('connection')).toHaveText('websocket open');
  await expect(page.getByTestId('startup').locator('li.step-done')).toHaveCount(7, { timeout: 15_000 });
}

test('the working quote is listed with its age; the trader cancels it from the table and the blotter shows how it ended', async ({ page }) => {
  await open(page);
  await expect(page.getByTestId('open-orders')).toContainText('no working order');
  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('armed-state')).toHaveText('ARMED');
  const quotes = page.getByTestId('open-order').filter({ hasText: 'maker' });
  await expect(quotes.first()).toBeVisible({ timeout: 20_000 });
  await expect(quotes.first().getByTestId('order-age')).toHaveText(/^\d+ s$/);
  // The demo's market fills and moves quotes quickly: cancel the first quote listed, and try the
  // next one when a fill or the maker's own reprice took it first.
  // maker.log names who cancelled: the trader's cancels say so.
  await page.getByTestId('log-tab-maker').click();
  await page.getByTestId('log-filter').fill('cancelled by the trader');
  let cancelledId: string | null = null;
  for (let attempt = 0; attempt < 8 && !cancelledId; attempt++) {
    const quote = quotes.first();
    await expect(quote).toBeVisible({ timeout: 20_000 });
    const clientId = await quote.getAttribute('data-client-id').catch(() => null);
    if (!clientId) continue;
    const clicked = await page
      .locator(`[data-testid="open-order"][data-client-id="${clientId}"]`)
      .getByTestId('order-cancel')
      .click({ timeout: 1000 })
      .then(() => true)
      .catch(() => false);
    if (!clicked) continue;
    const byTrader = await expect(page.getByTestId('logs'))
      .toContainText(`id ${clientId}`, { timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (byTrader) cancelledId = clientId;
  }
  expect(cancelledId, 'a quote cancelled from the table').not.toBeNull();
  // Gone from the table, and in the blotter as cancelled with its latency.
  await expect(page.locator(`[data-testid="open-order"][data-client-id="${cancelledId}"]`)).toHaveCount(0);
  const settled = page.locator(`[data-testid="blotter-row"][data-client-id="${cancelledId}"]`);
  await expect(settled).toContainText('cancelled', { timeout: 10_000 });
  await expect(settled).toContainText(/\d+\.\d ms/);
  // A row expands to its details.
  await settled.click();
  await expect(page.getByTestId('blotter-detail')).toContainText(`id ${cancelledId}`);
  await expect(page.getByTestId('blotter-detail')).toContainText('limit price');
  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('armed-state')).toHaveText('DISARMED');
});

test('a hedge appears in the blotter with its latency and slippage, and a market order offers no cancel', async ({ page }) => {
  await open(page);
  await page.getByTestId('arm-toggle').click();
  const hedge = page.getByTestId('blotter-row').filter({ hasText: 'hedge' }).first();
  await expect(hedge).toBeVisible({ timeout: 40_000 });
  await expect(hedge).toContainText(/filled|cancelled/);
  // Latency, and a slippage figure once it filled.
  await expect(hedge.locator('td').nth(8)).toHaveText(/\d+\.\d ms/);
  await expect(hedge.locator('td').nth(9)).toHaveText(/^-?\d+(\.\d+)?$|^-$/);
  await page.getByTestId('kill').click();
  await expect(page.getByTestId('kill-note')).toContainText('KILLED');
  await expect(page.getByTestId('open-order').filter({ hasText: 'hedge' }).getByTestId('order-cancel')).toHaveCount(0);
});

test('a reload keeps the spread chart and the decisions (the host kept them); the chart shows both thresholds', async ({ page }) => {
  await open(page);
  await page.getByTestId('arm-toggle').click();
  await expect(page.getByTestId('decisions-list').locator('.dec').first()).toBeVisible({ timeout: 20_000 });
  // A few seconds of chart.
  const curve = page.getByTestId('spread-chart').locator('.recharts-line-curve').first();
  const segments = async () => ((await curve.getAttribute('d')) ?? '').split(/[LHV]/).length;
  await expect.poll(segments, { timeout: 15_000 }).toBeGreaterThan(8);
  await page.getByTestId('kill').click();
  await expect(page.getByTestId('kill-note')).toContainText('KILLED');
  await page.reload();
  await expect(page.getByTestId('connection')).toHaveText('websocket open');
  // At once, not rebuilt from new samples one a second.
  await expect(page.getByTestId('decisions-list').locator('.dec').first()).toBeVisible({ timeout: 1500 });
  await expect.poll(segments, { timeout: 1500 }).toBeGreaterThan(8);
  await expect(page.getByTestId('spread-chart').locator('.recharts-reference-line')).toHaveCount(2);
  await expect(page.getByTestId('spread-chart')).toContainText('% of buy price');
});

test('the journal exports as CSV: ISO times, plain decimals, the whole journal or a range of days', async ({ page }) => {
  await open(page);
  await expect.poll(async () => Number(await page.getByTestId('fill-count').textContent()), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.getByTestId('export-table').selectOption('fills');
  const whole = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  const file = await (await whole).path();
  const text = readFileSync(file, 'utf8');
  // One line a row, each ended by a newline (the last too, as spreadsheet tools expect).
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines[0]).toBe('at,venue,side,qty,price,maker,fee,fee_estimated,order_id,fill_id,refused,backfilled');
  expect(lines.length).toBeGreaterThan(1);
  for (const line of lines.slice(1)) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,[LE],(buy|sell),\d+(\.\d+)?,\d+(\.\d+)?,(maker|taker),/);
  await expect(page.getByTestId('export-note')).toContainText(`${lines.length - 1} rows`);
  // A range of days before the session: nothing in it.
  await page.getByTestId('export-from').fill('2020-01-01');
  await page.getByTestId('export-to').fill('2020-01-02');
  const empty = page.waitForEvent('download');
  await page.getByTestId('export-csv').click();
  expect(readFileSync(await (await empty).path(), 'utf8')).toBe('at,venue,side,qty,price,maker,fee,fee_estimated,order_id,fill_id,refused,backfilled\n');
  await expect(page.getByTestId('export-note')).toHaveText('0 rows');
});

test("position cards: size, entry, mark and PnL live, and the venue's margin, liquidation and hourly funding from its account", async ({ page }) => {
  await open(page);
  for (const venue of ['L', 'E']) {
    await expect(page.getByTestId(`position-${venue}-asof`)).toContainText('venue figures as of', { timeout: 10_000 });
    await expect(page.getByTestId(`position-${venue}-funding`)).toContainText('0.00125%/h');
  }
  // Buy by hand on Lighter: the hedge engine sells it on Extended, a short there; the venues are
  // read again within 15 s of the fills.
  await sendManualOrder(page, 'L', 'buy', '0.05');
  await expect(page.getByTestId('trade-message')).toContainText('filled', { timeout: 10_000 });
  // Extended shows the short with its liquidation price and how far away it is; Lighter's cross
  // margin on the emulated 100,000 USDC has none for a position this small.
  await expect(page.getByTestId('position-E-liq')).toContainText('% away', { timeout: 25_000 });
  await expect(page.getByTestId('position-E-margin')).not.toHaveText('- / -');
  await expect(page.getByTestId('position-E-upnl')).toHaveText(/^[+-]?\d+\.\d{4}$/);
  await expect(page.getByTestId('position-E-funding')).toContainText('/day');
});
