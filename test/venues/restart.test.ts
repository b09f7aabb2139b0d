import Decimal from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulators } from '../../src/main/emulator/emulators';
import { liveEngine, venuePositions } from '../helpers/liveStack';
import { waitFor } from '../helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('restart recovery', () => {
  it('a restarted engine loads positions over REST, hedges the imbalance once and counts nothing twice', async () => {
    const emulators = await startEmulators({ seed: 8, speed: 5 });
    cleanups.push(() => emulators.stop());

    // First life: quote, get maker fills hedged, then leave an unhedged position behind.
    const first = await liveEngine(emulators);
    await first.host.start();
    await waitFor(() => first.engine.state.hedgeSeeded, 'start-up', 15_000);
    await first.host.command({ type: 'arm' });
    // A maker fill on Lighter: its trade is what Lighter replays to the next subscriber.
    await waitFor(() => emulators.market.exchanges.L.record.trades.some((trade) => trade.maker), 'a maker fill on Lighter', 30_000);
    await first.host.command({ type: 'kill' });
    await first.engine.hedger?.settled();
    const fillsBefore = emulators.market.exchanges.L.record.trades.length + emulators.market.exchanges.E.record.trades.length;
    // Every fill of the first life delivered and journaled before it stops (under load a fill racing
    // the kill can arrive late; one that arrives after the stop is in the next life's position, not
    // its journal: see the closing note).
    await waitFor(() => first.journal.count('fills') === fillsBefore, 'the first life to journal its fills', 15_000);
    await first.host.stop();
    // While the bot is down, the trader buys 0.05 ETH on Lighter by hand: exposure the next life must find.
    const L = emulators.market.exchanges.L;
    const manual = L.submit({
      clientId: '999',
      side: 'buy',
      price: (L.bestAsk() as number) + 500,
      qty: 500,
      type: 'market',
      tif: 'ioc',
      reduceOnly: false,
      expiresAt: 0,
      meta: {}
    });
    expect(manual.filled).toBe(500);
    const net = venuePositions(emulators).L.plus(venuePositions(emulators).E);
    expect(net.abs().gte('0.05')).toBe(true);

    // Second life on the same journal: the Lighter stream replays recent trades on subscribe.
    const second = await liveEngine(emulators, { journalPath: first.journalPath });
    cleanups.push(() => second.host.stop());
    await second.host.start();
    await waitFor(() => second.engine.state.hedgeSeeded, 'start-up after the restart', 15_000);
    await second.engine.hedger?.settled();
    const positions = venuePositions(emulators);
    expect(second.engine.state.inv.L.toString()).toBe(positions.L.toString());
    expect(second.engine.state.inv.E.toString()).toBe(positions.E.toString());
    // Exactly one hedge: the seeded net, sold on Extended.
    expect(second.engine.hedger?.hedgesSent).toBe(1);
    const hedge = emulators.market.exchanges.E.record.orders.at(-1);
    expect(hedge).toMatchObject({ side: 'sell', tif: 'ioc' });
    expect(new Decimal(`${hedge?.qty}e-3`).toString()).toBe(net.toDecimalPlaces(3, Decimal.ROUND_DOWN).toString());
    const settledNet = second.engine.state.inv.L.plus(second.engine.state.inv.E);
    expect(settledNet.abs().lt(second.engine.state.minHedgeQty ?? 0)).toBe(true);
    expect(second.engine.counters.makerFills).toBe(0);
    // The journal holds every trade of the account once across both lives (the hedge may take more
    // than one level): the hand trade made while the bot was down is backfilled from the venue's
    // trades at start-up (inside the position read then, so not applied again), marked so.
    const fillsNow = () => second.journal.count('fills');
    const tradesNow = () => emulators.market.exchanges.L.record.trades.length + emulators.market.exchanges.E.record.trades.length;
    expect(tradesNow()).toBeGreaterThan(fillsBefore + 1);
    await waitFor(() => fillsNow() === tradesNow(), 'the journal to hold every fill once').catch((error: Error) => {
      throw new Error(`${error.message}: journal ${fillsNow()}, first life ${fillsBefore}, venue trades now ${tradesNow()}`);
    });
    const backfilled = second.journal.rows('fills').filter((row) => row.backfilled === 1);
    expect(backfilled.map((row) => row.order_id)).toEqual(['999']);
  }, 60_000);
});
