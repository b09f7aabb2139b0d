import { afterEach, describe, expect, it } from 'vitest';
import { startEmulators } from '../../src/main/emulator/emulators';
import { liveEngine, venuePositions } from '../helpers/liveStack';
import { waitFor } from '../helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the engine on both real adapters against both emulators', () => {
  it('quotes, gets maker fills, hedges every one on the other venue, and ends hedged', async () => {
    // A fast, jumpy market so that spreads open often; flow fills our resting quotes.
    const emulators = await startEmulators({ seed: 5, speed: 5 });
    cleanups.push(() => emulators.stop());
    const { engine, host, journal } = await liveEngine(emulators, { params: { staleBookMs: 5000 } });
    cleanups.push(() => host.stop());
    await host.start();
    await waitFor(() => engine.state.hedgeSeeded, 'start-up', 15_000);
    await host.command({ type: 'arm' });
    await waitFor(() => engine.counters.makerFills >= 3, 'three maker fills', 20_000);
    await host.command({ type: 'kill' });
    await waitFor(() => engine.hedger?.idle() ?? true, 'hedges to settle', 10_000);
    await engine.hedger?.settled();
    // What the emulators recorded is what the engine believes.
    await waitFor(
      () => engine.state.inv.L.eq(venuePositions(emulators).L) && engine.state.inv.E.eq(venuePositions(emulators).E),
      'inventory to match the venues'
    );
    const venueTrades = emulators.market.exchanges.L.record.trades.length + emulators.market.exchanges.E.record.trades.length;
    await waitFor(() => journal.count('fills') === venueTrades, 'every fill journaled once');
    expect(engine.hedger?.hedgesSent).toBeGreaterThan(0);
    const net = engine.state.inv.L.plus(engine.state.inv.E);
    expect(net.toString()).toBe(engine.state.unhedged.L.plus(engine.state.unhedged.E).toString());
    expect(net.abs().lt(engine.state.minHedgeQty ?? 0)).toBe(true);
    // Nothing rests after the kill (the second sweep catches an order that was still on its way).
    await waitFor(() => emulators.market.exchanges.L.orders.size + emulators.market.exchanges.E.orders.size === 0, 'no order left resting', 3000);
  }, 60_000);
});
