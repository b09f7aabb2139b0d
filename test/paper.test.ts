/**
 * PAPER mode end to end: the app on the venues' public books and trades (the emulators' public
 * streams stand in for the real venues here), orders matched locally. Nothing reaches the venues'
 * order books; quotes fill only from public trades; hedges walk the public book.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/main/app';
import { loadConfig } from '../src/main/config/config';
import { startEmulators, type Emulators } from '../src/main/emulator/emulators';
import { waitFor } from './helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('NETWORK=paper', () => {
  it('trades the public feeds with no keys: quotes fill from public trades, hedges are matched locally, no order reaches the venues', async () => {
    const emulators: Emulators = await startEmulators({ seed: 31, speed: 5 });
    cleanups.push(() => emulators.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'lx-paper-'));
    const config = loadConfig({
      env: {
        NETWORK: 'paper',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        MIN_SPREAD: '0.01',
        STALE_BOOK_MS: '3000',
        LIGHTER_REST_URL: emulators.lighter.url,
        LIGHTER_WS_URL: emulators.lighter.wsUrl,
        EXTENDED_REST_URL: emulators.extended.url,
        EXTENDED_WS_URL: emulators.extended.wsUrl
      }
    });
    expect(config.mode).toBe('PAPER');
    const app: App = await createApp(config, { consoleLog: false });
    cleanups.push(() => app.stop());
    await app.start();
    await waitFor(() => app.engine.state.hedgeSeeded, 'start-up on the public feeds', 20_000);
    expect((await app.host.command({ type: 'arm' })).ok).toBe(true);
    await waitFor(() => app.engine.counters.makerFills >= 2 && (app.engine.hedger?.hedgesSent ?? 0) >= 2, 'paper maker fills and their hedges', 45_000);
    expect((await app.host.command({ type: 'kill' })).ok).toBe(true);
    await app.engine.hedger?.settled();
    // Nothing was sent to the venues: every order lived in the local matcher.
    expect(emulators.market.exchanges.L.record.orders).toEqual([]);
    expect(emulators.market.exchanges.E.record.orders).toEqual([]);
    const snapshot = app.engine.snapshot();
    expect(snapshot.mode).toBe('PAPER');
    const net = app.engine.state.inv.L.plus(app.engine.state.inv.E).abs();
    expect(net.lt(app.engine.state.minHedgeQty ?? new Decimal(0))).toBe(true);
    expect(app.engine.exposure.leaks).toBe(0);
  }, 90_000);
});
