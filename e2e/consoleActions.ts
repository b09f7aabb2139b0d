import type { Page } from '@playwright/test';

/** Fills the manual order form and sends it (the dialog still open: the caller checks or confirms it). */
export async function fillManualOrder(page: Page, venue: 'L' | 'E', side: 'buy' | 'sell', qty: string): Promise<void> {
  await page.getByTestId('manual-venue').selectOption(venue);
  await page.getByTestId('manual-side').selectOption(side);
  await page.getByTestId('manual-qty').fill(qty);
  await page.getByTestId('manual-send').click();
}

/** A manual market order confirmed, with the typed override when the limits ask for it. */
export async function sendManualOrder(page: Page, venue: 'L' | 'E', side: 'buy' | 'sell', qty: string): Promise<void> {
  await fillManualOrder(page, venue, side, qty);
  if (await page.getByTestId('confirm-type').isVisible()) await page.getByTestId('confirm-type').fill('OVERRIDE');
  await page.getByTestId('confirm-ok').click();
}
